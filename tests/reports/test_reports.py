"""The reports page: figures against a hand-computed fixture, scoped to the admin's subtree,
every chart with its table and links to the records behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from server.reports.figures import Period, period_for, report
from server.shifts.operations import admin_entry
from server.volunteers.operations import create_volunteer

MARCH = "period=custom&from=2026-03-01&to=2026-03-31"


def _fixture(db, network):
    """East: 王 60 + 120 minutes (2 and 3 March); west: 李 30 minutes (2 March); one in April."""
    east = create_volunteer(name="王小明", phone="13800000001", site=network["east_station"])
    west = create_volunteer(name="李大华", phone="13800000002", site=network["west_station"])
    day = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for volunteer, site, start, minutes in [
            (east, network["east_station"], day, 60),
            (east, network["east_station"], day + timedelta(days=1), 120),
            (west, network["west_station"], day, 30),
            (west, network["west_station"], day + timedelta(days=40), 45)]:
        admin_entry(volunteer, site, start, start + timedelta(minutes=minutes), "补录",
                    actor="test")
    db.session.commit()


def test_figures_match_the_hand_count(db, network):
    _fixture(db, network)
    figures = report(network["center"], Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert (figures.sign_ins, figures.minutes, figures.active_volunteers) == (3, 210, 2)
    assert [(r.label, r.value) for r in figures.by_unit] == [
        ("东镇新时代文明实践所", 3.0), ("西镇新时代文明实践所", 0.5)]
    assert [(r.label, r.value) for r in figures.by_month] == [("2026-03", 3.5)]
    assert [(r.label, r.value) for r in figures.top_volunteers] == [("王*明", 3.0),
                                                                   ("李*华", 0.5)]
    spring = report(network["center"], Period(date(2026, 3, 1), date(2026, 4, 30)))
    assert [(r.label, r.value) for r in spring.by_month] == [("2026-03", 3.5),
                                                            ("2026-04", 0.8)]
    assert spring.redemptions == 0 and spring.average_stars is None
    assert spring.accept_minutes == (None, None)


def test_periods():
    today = date(2026, 12, 2)  # a Wednesday
    assert period_for("today", today) == Period(today, today)
    assert period_for("week", today) == Period(date(2026, 11, 30), today)
    assert period_for("month", today) == Period(date(2026, 12, 1), today)
    assert period_for("year", today) == Period(date(2026, 1, 1), today)
    assert period_for("custom", today, date(2026, 3, 1), date(2026, 3, 5)) == \
        Period(date(2026, 3, 1), date(2026, 3, 5))


def test_the_page_is_scoped_and_links_to_records(client, login, create_admin, network, db):
    _fixture(db, network)
    login(create_admin("institute_admin", network["east"]))
    page = client.get(f"/admin/reports/?{MARCH}").get_data(as_text=True)
    assert "李*华" not in page and "王*明" in page
    assert '<div class="n">2</div>' in page  # two sign-ins in the east
    assert 'role="group" aria-label="各单位服务时长"' in page  # linked bars
    assert 'role="img" aria-label="各品牌工单"' in page
    link = f"/admin/shifts/?site={network['east_station'].id}&amp;from=2026-03-01&amp;to=2026-03-31"
    assert link in page  # the station's bar and figure open its shifts
    shifts = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "2 in all" in shifts or "共 2 条" in shifts
    assert client.get(f"/admin/reports/?site={network['west'].id}").status_code == 404
    assert client.get("/admin/reports/?period=custom&from=2026-03-09&to=2026-03-01") \
        .status_code == 400


def test_a_station_admin_reports_its_station(client, login, create_admin, network, db):
    _fixture(db, network)
    login(create_admin("station_admin", network["west_station"]))
    page = client.get(f"/admin/reports/?{MARCH}").get_data(as_text=True)
    assert "李*华" in page and "王*明" not in page
