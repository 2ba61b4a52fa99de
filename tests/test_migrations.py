"""The Alembic revisions build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server import MIGRATIONS_DIR, create_app
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
        assert _no_overlap_guard(db), "two live bookings of one room never overlap"
        migrated = _trigger_bodies(db)
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        # Autogenerate does not see triggers: the ones the revisions made must be, body by
        # body, the ones the models attach to their tables (ledger.models.APPEND_ONLY_DDL,
        # rooms.models.OVERLAP_DDL), built here on the same engine by create_all.
        db.metadata.create_all(db.engine)
        modelled = _trigger_bodies(db)
        db.metadata.drop_all(db.engine)
        assert any(name.startswith("ledger_transfer_no_") for name in modelled)
        assert migrated == modelled
        db.engine.dispose()


def _no_overlap_guard(db) -> bool:
    """The rooms' rule: triggers on SQLite, an exclusion constraint on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return "room_booking" in _triggers(db)
    query = ("SELECT 1 FROM pg_constraint WHERE conname = 'ex_room_booking_no_overlap' "
             "AND contype = 'x' AND connamespace = current_schema()::regnamespace")
    with db.engine.connect() as connection:
        return connection.execute(db.text(query)).first() is not None


def _trigger_bodies(db) -> dict[str, str]:
    """Each trigger's definition (on PostgreSQL with its function's body), spaces normalised."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = ("SELECT t.tgname, pg_get_triggerdef(t.oid) || ' EXECUTES ' || p.prosrc "
                 "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                 "JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace")
    with db.engine.connect() as connection:
        return {name: " ".join(body.split()) for name, body in connection.execute(db.text(query))}


def _triggers(db) -> set[str]:
    """Tables that carry triggers (autogenerate does not compare triggers)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = ("SELECT event_object_table FROM information_schema.triggers "
                 "WHERE trigger_schema = current_schema()")
    with db.engine.connect() as connection:
        return {row[0] for row in connection.execute(db.text(query))}


def test_new_revisions_are_named_by_date_and_time(tmp_path):
    from alembic import command
    from alembic.config import Config

    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    before = {p.name for p in (folder / "versions").glob("*.py")}
    config = Config(str(folder / "alembic.ini"))
    config.set_main_option("script_location", str(folder))
    command.revision(config, message="Rooms can be closed for a day")
    new = sorted({p.name for p in (folder / "versions").glob("*.py")} - before)
    assert len(new) == 1
    assert re.fullmatch(r"\d{8}_\d{4}_[0-9a-f]{12}_rooms_can_be_closed_for_a_day\.py", new[0])
