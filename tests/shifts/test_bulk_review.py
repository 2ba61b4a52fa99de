"""Approve or reject selected shifts with one reason, within one's own subtree only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.shifts.models import Shift
from tests.conftest import csrf_token_in

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_bulk_reject_with_one_reason(client, db, network, create_admin, login, enroll_kiosk,
                                     create_volunteer):
    east = enroll_kiosk()
    west = enroll_kiosk(network["west_station"])
    for kiosk, site in ((east, "east_station"), (east, "east_station"), (west, "west_station")):
        _, card = create_volunteer(site=network[site])
        kiosk.sign(card, DAY, clock_offset_ms=3_600_000)  # a skewed clock: waits for review
        kiosk.sign(card, DAY + timedelta(hours=1), clock_offset_ms=3_600_000)
    db.session.rollback()
    pending = list(db.session.scalars(select(Shift).order_by(Shift.id)))
    assert [s.review for s in pending] == ["pending"] * 3
    login(create_admin("station_admin", network["east_station"]))
    page = client.get("/admin/shifts/?review=pending").get_data(as_text=True)
    assert page.count('name="shift"') == 2  # only my subtree's shifts to select
    form = {"csrf_token": csrf_token_in(page), "decision": "reject", "reason": "",
            "shift": [str(s.id) for s in pending]}
    client.post("/admin/shifts/review/bulk", data=form)
    db.session.rollback()
    assert [s.review for s in db.session.scalars(select(Shift).order_by(Shift.id))] == \
        ["pending"] * 3  # a rejection needs its reason
    done = client.post("/admin/shifts/review/bulk", data=dict(form, reason="时钟错误，未核实"),
                       follow_redirects=True)
    assert "已驳回 2 条服务时段" in done.get_data(as_text=True)
    db.session.rollback()
    assert [s.review for s in db.session.scalars(select(Shift).order_by(Shift.id))] == \
        ["rejected", "rejected", "pending"]  # the west's shift is not mine to decide
