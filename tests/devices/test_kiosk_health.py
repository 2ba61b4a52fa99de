"""Kiosk health: the outbox backlog the kiosk reports (with a batch or any request), online
or silent from the last contact, the clock warning, the alert list, scoped to the subtree."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.devices.health import health
from server.devices.models import Device
from tests.fixtures.devices import sign_action


def _set(db, kiosk, **values):
    db.session.execute(update(Device).where(Device.id == kiosk.id).values(**values))
    db.session.commit()


def test_the_backlog_comes_with_a_batch_and_with_a_poll(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    assert kiosk.upload([sign_action(card)], outbox=42).status_code == 200
    db.session.rollback()
    assert db.session.get(Device, kiosk.id).outbox_length == 42
    _set(db, kiosk, last_seen_at=datetime.now(UTC) - timedelta(minutes=10))
    response = kiosk.client.get("/api/v1/kiosk/state",
                                headers={**kiosk.headers, "X-Kiosk-Outbox": "0"})
    assert response.status_code == 200
    db.session.rollback()
    assert db.session.get(Device, kiosk.id).outbox_length == 0
    # A count that is no count is refused at the edge, in the batch's shape (kiosks send ints).
    assert kiosk.upload([sign_action(card)], outbox="lots").status_code == 400
    db.session.rollback()
    assert db.session.get(Device, kiosk.id).outbox_length == 0


def test_states_alerts_and_clock_warnings(db, enroll_kiosk, network):
    fresh, silent, skewed, never = (enroll_kiosk() for _ in range(4))
    now = datetime.now(UTC)
    _set(db, fresh, last_seen_at=now - timedelta(minutes=1), outbox_length=3,
         clock_offset_ms=1500)
    _set(db, silent, last_seen_at=now - timedelta(minutes=90), outbox_length=7)
    _set(db, skewed, last_seen_at=now - timedelta(minutes=2), clock_offset_ms=-400_000)
    _set(db, never, last_seen_at=None)
    summary = health(network["center"], now)
    by_id = {k.device.id: k for k in summary.kiosks}
    assert [by_id[k.id].online for k in (fresh, silent, skewed, never)] == [True, False, True,
                                                                          False]
    assert {k.device.id for k in summary.alerts} == {silent.id, never.id}
    assert summary.kiosks[0].is_alert and summary.kiosks[1].is_alert  # alerts first
    assert [by_id[k.id].clock_warning for k in (fresh, skewed)] == [False, True]
    assert by_id[skewed.id].clock_offset_seconds == -400.0
    assert summary.backlog == 10 and summary.online == 2 and summary.clock_warnings == 1
    assert by_id[silent.id].silent_minutes == 90


def test_pages_show_health_in_scope_and_export_it(client, login, create_admin, network, db,
                                                  enroll_kiosk):
    here = enroll_kiosk(network["library"])
    there = enroll_kiosk(network["west_station"])
    _set(db, here, last_seen_at=datetime.now(UTC) - timedelta(hours=3), outbox_length=5)
    _set(db, there, last_seen_at=datetime.now(UTC))
    login(create_admin("station_admin", network["east_station"]))
    home = client.get("/admin/").get_data(as_text=True)
    assert "1 silent for too long" in home or "1 台服务终端失联过久" in home
    page = client.get("/admin/kiosks/").get_data(as_text=True)
    assert network["library"].name in page and network["west_station"].name not in page
    site_page = client.get(f"/admin/sites/{network['library'].id}/kiosks").get_data(as_text=True)
    assert "role=\"alert\"" in site_page
    response = client.get("/admin/kiosks/?format=csv", buffered=True)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8")[1:])))
    assert len(rows) == 2 and rows[1][0] == str(here.id) and rows[1][5] == "5"
