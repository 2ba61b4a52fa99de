"""Hot statements (server/core/hot.py): the same SQL, types, transaction and errors as
SQLAlchemy's own execution, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, exc, func, insert, select

from server.core.audit import AuditEvent, record
from server.core.hot import Hot, adopt, adopt_values, columns_of
from server.shifts.models import HoursPolicy
from server.sites.models import Site


def test_rows_read_like_the_orm(db, network):
    at = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
    event_ = AuditEvent(at=at, action="test.read", actor="测试", details={"中文": [1, None]})
    db.session.add(event_)
    db.session.commit()
    row = Hot(select(*columns_of(AuditEvent)).where(AuditEvent.id == bindparam("id"))) \
        .first({"id": event_.id})
    db.session.expire_all()
    loaded = db.session.get(AuditEvent, event_.id)
    assert row == tuple(getattr(loaded, c.key) for c in columns_of(AuditEvent))
    assert row[1].replace(tzinfo=UTC) == at and row[-1] == {"中文": [1, None]}
    site = Hot(select(Site.is_active, Site.name).where(Site.id == bindparam("id"))) \
        .first({"id": network["library"].id})
    assert site == (True, "东村图书室")


def test_an_expanding_in_takes_any_number_of_values(db, network):
    names = Hot(select(Site.name).where(Site.id.in_(bindparam("ids", expanding=True)))
                .order_by(Site.id))
    east, west = network["east"].id, network["west"].id
    assert names.rows({"ids": [east, west]}) == [("东镇新时代文明实践所",),
                                                 ("西镇新时代文明实践所",)]
    assert names.rows({"ids": [west]}) == [("西镇新时代文明实践所",)]
    assert names.rows({"ids": []}) == []


def test_a_savepoint_rolled_back_undoes_hot_writes(db):
    record("test.kept")
    with db.session.begin_nested() as savepoint:
        record("test.undone")
        savepoint.rollback()
    record("test.after")
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["test.kept", "test.after"]


def test_a_column_default_is_never_skipped_silently(db):
    with pytest.raises(ValueError, match="explicit values for at"):
        Hot(insert(AuditEvent.__table__)).rows({"action": "test.no_time"})


def test_database_errors_are_sqlalchemys(db, network):
    policy = Hot(insert(HoursPolicy.__table__))
    values = {"site_id": network["east"].id, "rounding_minutes": 5, "daily_cap_minutes": 480,
              "max_shift_minutes": 600, "forgotten_credit_minutes": 0,
              "updated_at": datetime.now(UTC)}
    policy.rows(values)
    with pytest.raises(exc.IntegrityError):
        policy.rows(values)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HoursPolicy)) == 0


def test_listeners_see_hot_statements(db):
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        record("test.seen")
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert "INSERT" in seen


def test_adopt_gives_the_sessions_object_or_a_loaded_one(db, network):
    site_query = Hot(select(*columns_of(Site)).where(Site.id == bindparam("id")))
    east = network["east"]
    assert adopt(Site, site_query.first({"id": east.id})) is east
    db.session.expunge_all()
    statements = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        site = adopt(Site, site_query.first({"id": east.id}))
        statements.clear()
        assert (site.name, site.kind, site.is_active) == ("东镇新时代文明实践所", "institute", True)
        assert site in db.session and statements == []  # loaded: no query for its columns
        assert site.parent.name == "测试区新时代文明实践中心"  # a relationship loads as usual
        site.name = "东镇新时代文明实践所（新）"
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert any(s.startswith("UPDATE site") for s in statements)
    db.session.expire_all()
    assert db.session.get(Site, east.id).name == "东镇新时代文明实践所（新）"


def test_adopting_written_values_needs_every_column(db, network):
    east = network["east"]
    values = {c.key: getattr(east, c.key) for c in columns_of(Site)}
    assert adopt_values(Site, values) is east  # the session's own object
    with pytest.raises(ValueError, match="needs name"):
        adopt_values(Site, {k: v for k, v in values.items() if k != "name"})


def test_a_read_apart_does_not_wait_for_the_writer_on_sqlite(app, db, network, backend):
    """SQLite: a write request's lookup on read_apart() runs while another writer holds the
    writer's turn (it would otherwise wait for it). PostgreSQL: no such connection is given;
    the caller reads in its transaction."""
    import threading

    from server.core.db import read_apart, writing

    names = Hot(select(Site.name).where(Site.id == bindparam("id")))
    site_id = network["east"].id
    db.session.commit()
    holding, done = threading.Event(), threading.Event()

    def writer():
        with app.app_context(), writing():
            record("test.holding")  # BEGIN IMMEDIATE: this thread holds the writer's turn
            holding.set()
            done.wait(10)
            db.session.rollback()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        with read_apart() as connection:
            if backend == "postgresql":
                assert connection is None
            else:
                assert names.first({"id": site_id}, connection=connection) == \
                    ("东镇新时代文明实践所",)
    finally:
        done.set()
        thread.join(10)
