"""The overview counts what lies in the admin's own subtree, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from server.core.timeutil import utcnow
from server.dashboard.stats import overview
from server.shifts.operations import sign
from server.volunteers.operations import create_volunteer


def test_overview_counts_the_subtree(db, network, create_admin, client, login):
    east, west = network["east_station"], network["west_station"]
    mine = create_volunteer(name="东村志愿者", phone="13800000001", site=east)
    other = create_volunteer(name="西村志愿者", phone="13800000002", site=west)
    start = utcnow() - timedelta(hours=3)
    sign(mine, east, start, method="kiosk", verified=True, direction="in")
    sign(mine, east, start + timedelta(minutes=120), method="kiosk", verified=True,
         direction="out")
    sign(other, west, start, method="kiosk", verified=True, direction="in")
    db.session.commit()

    whole = overview(network["center"])
    assert (whole.volunteers, whole.on_duty) == (2, 1)
    assert whole.weekly_hours[-1][1] >= 2.0 or whole.weekly_hours[-2][1] >= 2.0
    east_only = overview(network["east"])
    assert (east_only.volunteers, east_only.on_duty) == (1, 0)
    assert east_only.hours_this_month in (0.0, 2.0)  # 0 only if the shift began last month

    login(create_admin("institute_admin", network["east"]))
    page = client.get("/admin/").get_data(as_text=True)
    assert "名志愿者" in page and "每周服务时长" in page
