"""A local calendar day means the same instants on both databases: a shift begun just after
midnight in 昭化 (16:xx UTC the day before) is in that day, one begun just before is not.
SQLite keeps a timestamp's wall-clock text, so a bound left in Asia/Shanghai used to compare
eight hours off there."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from server.core.paging import DateRange
from server.shifts.models import Shift
from server.shifts.operations import admin_entry
from server.volunteers.operations import create_volunteer

LATE = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)   # 23:30 on the 2nd in 昭化
EARLY = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # 00:30 on the 3rd in 昭化


def test_a_local_day_holds_the_instants_of_that_day(db, client, login, create_admin, network):
    late_one = create_volunteer(name="王夜班", phone="13800000001", site=network["east_station"])
    early_one = create_volunteer(name="李早班", phone="13800000002",
                                 site=network["east_station"])
    for volunteer, start in ((late_one, LATE), (early_one, EARLY)):
        admin_entry(volunteer, network["east_station"], start, start + timedelta(minutes=20),
                    "补录", actor="test")
    db.session.commit()

    third = DateRange(date(2026, 12, 3), date(2026, 12, 3))
    begun = db.session.scalars(third.apply(select(Shift.volunteer_id), Shift.started_at)).all()
    assert begun == [early_one.id]

    login(create_admin("station_admin", network["east_station"]))
    page = client.get("/admin/shifts/?from=2026-12-03&to=2026-12-03").get_data(as_text=True)
    assert "2026-12-03 00:30" in page and "2026-12-02 23:30" not in page
    page = client.get("/admin/shifts/?from=2026-12-02&to=2026-12-02").get_data(as_text=True)
    assert "2026-12-02 23:30" in page and "2026-12-03 00:30" not in page
