"""Faults: the database going away mid-request answers 503 in the route's own shape and loses
no committed work; the backup command and a restore from it."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from tests.fixtures.devices import sign_action


@contextmanager
def database_drops(engine, when: str):
    """The server drops the connection when a statement matching `when` is sent: the
    driver's own OperationalError, marked a disconnect through SQLAlchemy's public
    handle_error event, as a restart of PostgreSQL would look."""
    dbapi = engine.dialect.loaded_dbapi

    def drop(conn, cursor, statement, parameters, context, executemany):
        if re.search(when, statement, re.IGNORECASE):
            raise dbapi.OperationalError("server closed the connection unexpectedly")

    def mark_disconnect(context):
        if "closed the connection" in str(context.original_exception):
            context.is_disconnect = True

    event.listen(engine, "before_cursor_execute", drop)
    event.listen(engine, "handle_error", mark_disconnect)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", drop)
        event.remove(engine, "handle_error", mark_disconnect)


def _shifts(db, volunteer_id):
    from server.shifts.models import Shift

    db.session.rollback()
    return list(db.session.scalars(select(Shift).where(Shift.volunteer_id == volunteer_id)))


def test_a_kiosk_upload_that_loses_the_database_gets_a_json_503_and_nothing_is_lost(
        app, db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    first, first_url = create_volunteer("王秀英")
    second, second_url = create_volunteer("李建国")
    at = datetime.now(UTC) - timedelta(minutes=5)
    assert kiosk.sign(first_url, at)["status"] == 200  # committed before the fault
    batch = [sign_action(second_url, at, key="after-the-fault")]
    with database_drops(db.engine, r"^\s*INSERT INTO shift"):
        failed = kiosk.upload(batch)
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "5"
    assert failed.get_json()["error"]["code"] == "database_unavailable"
    assert len(_shifts(db, first.id)) == 1  # the committed sign-in is still there
    assert _shifts(db, second.id) == []  # nothing of the failed request was half-written
    retried = kiosk.upload(batch)  # the kiosk's outbox sends it again
    assert retried.status_code == 200, retried.get_data(as_text=True)
    assert retried.get_json()["answers"][0]["status"] == 200
    assert len(_shifts(db, second.id)) == 1 and len(_shifts(db, first.id)) == 1


def test_a_page_that_loses_the_database_gets_a_503_page(app, db, client, login, create_admin,
                                                        network):
    login(create_admin("district_admin", network["center"]))
    path = f"/admin/sites/{network['east'].id}"
    with database_drops(db.engine, r"FROM site"):
        page = client.get(path)
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert page.headers["Retry-After"] == "5"
    assert "服务暂时不可用" in page.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_a_phone_form_that_loses_the_database_keeps_nothing_half_written(app, db, client,
                                                                        network):
    from server.orders.menu import create_item
    from server.orders.models import Order
    from tests.conftest import csrf_token_in

    item = create_item(site=network["east"], name="助老陪护", content_area="培育践行主流价值",
                       brand="情暖万家")
    db.session.commit()
    url = f"/orders/new/{network['library'].id}"
    form = {"item_id": item.id, "phone": "13812345678", "place": "3栋",
            "csrf_token": csrf_token_in(client.get(url).get_data(as_text=True))}
    with database_drops(db.engine, r"INSERT INTO audit_event"):
        failed = client.post(url, data=form)
    assert failed.status_code == 503 and failed.mimetype == "text/html"
    db.session.rollback()
    assert db.session.scalars(select(Order)).all() == []
    assert client.post(url, data=form).status_code == 302
    db.session.rollback()
    assert len(db.session.scalars(select(Order)).all()) == 1


def test_backup_then_restore_into_a_fresh_file(app, db, runner, network, backend, tmp_path):
    from server import create_app
    from server.sites.models import Site
    from tests.conftest import _test_config

    target = tmp_path / "backups" / "wenming.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    if backend == "postgresql":
        assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output
        assert not target.exists()
        return
    assert "backed up" in result.output
    # Restore: the copy put in place of a database, in a fresh file, served by a fresh app.
    restored = tmp_path / "restored" / "wenming.sqlite3"
    restored.parent.mkdir()
    restored.write_bytes(target.read_bytes())
    again = create_app(_test_config("sqlite:///" + str(restored)))
    with again.app_context():
        names = set(db.session.scalars(select(Site.name)))
        assert names == {site.name for site in network.values()}
        db.session.remove()
        db.engine.dispose()
    # A second backup never overwrites the first.
    assert runner.invoke(args=["backup", str(target)]).exit_code == 1
