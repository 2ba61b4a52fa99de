"""The Alembic revisions build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server import create_app
from tests.conftest import TEST_DATABASE_URL, _postgres_url


@pytest.fixture(params=["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else []))
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/migrated.sqlite3"
    return _postgres_url(os.environ.get("PYTEST_XDIST_WORKER", "main") + "_migrations", request)


def test_upgrade_builds_the_models_schema_and_downgrade_undoes_it(empty_database):
    from flask_migrate import downgrade, upgrade

    from server.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "k"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], "models and migrations differ: run `flask db migrate`"
        assert _triggers(db) >= {"ledger_transfer"}, "the ledger's append-only triggers"
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


def _triggers(db) -> set[str]:
    """Tables that carry triggers (autogenerate does not compare triggers)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = ("SELECT event_object_table FROM information_schema.triggers "
                 "WHERE trigger_schema = current_schema()")
    with db.engine.connect() as connection:
        return {row[0] for row in connection.execute(db.text(query))}
