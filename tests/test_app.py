"""The app factory, settings, the JSON error shape and the OpenAPI document."""

from __future__ import annotations

from openapi_spec_validator import validate
from sqlalchemy import event
from sqlalchemy.engine import Engine

from server import create_app
from server.config import from_environment
from server.core.openapi import undocumented_rules


def test_settings_come_from_prefixed_environment():
    found = from_environment({"WENMING_DATABASE_URL": "postgresql://x/y",
                              "WENMING_SQLITE_BUSY_TIMEOUT_MS": "250",
                              "DATABASE_URL": "ignored-without-prefix"})
    assert found == {"DATABASE_URL": "postgresql://x/y", "SQLITE_BUSY_TIMEOUT_MS": 250}


def test_postgres_urls_use_psycopg(tmp_path):
    app = create_app({"DATABASE_URL": "postgres://u@h/db", "SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_creating_the_app_touches_no_database(tmp_path):
    connects = []

    def count(*args):
        connects.append(args)

    event.listen(Engine, "connect", count)
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/never.sqlite3",
                    "SECRET_KEY": "k"})
    finally:
        event.remove(Engine, "connect", count)
    assert connects == []
    assert not (tmp_path / "never.sqlite3").exists()


def test_unknown_api_route_answers_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "页面不存在。",
                                             "field": None, "details": {}}}


def test_openapi_document_is_valid_and_complete(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert undocumented_rules(app) == []
    assert {"/sites", "/sites/{site_id}", "/me", "/openapi.json"} <= set(document["paths"])
    assert document["servers"][0]["url"] == "https://zhaohua.example.org/api/v1"


def test_sqlite_runs_in_wal_mode(app, db, backend):
    if backend != "sqlite":
        assert db.engine.dialect.name == "postgresql"
        return
    mode = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
    keys = db.session.execute(db.text("PRAGMA foreign_keys")).scalar()
    assert (mode, keys) == ("wal", 1)
