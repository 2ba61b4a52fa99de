"""The reports page: figures against a hand-computed fixture, scoped to the admin's subtree,
every chart with its table and links to the records behind it."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from server.orders.models import BRANDS, CONTENT_AREAS, Order, Rating, ServiceItem
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
    assert 'role="group" aria-label="各品牌工单"' in page  # order bars open the board too
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


def _orders(db, network):
    """East station: two 理响巴蜀 orders (one rated 5, one cancelled) and one 情暖万家 rated 2;
    west station: one 理响巴蜀 rated 5; one east order in April."""
    helper = create_volunteer(name="赵志愿", phone="13800000003", site=network["east_station"])
    lines = {}
    for key, site, brand, area in [("east_talk", "east_station", BRANDS[0], CONTENT_AREAS[0]),
                                   ("east_care", "east_station", BRANDS[4], CONTENT_AREAS[3]),
                                   ("west_talk", "west_station", BRANDS[0], CONTENT_AREAS[0])]:
        lines[key] = ServiceItem(site_id=network[site].id, name="宣讲" if "talk" in key else "代办",
                                 content_area=area, brand=brand)
        db.session.add(lines[key])
    db.session.flush()
    placed = datetime(2026, 3, 10, 2, tzinfo=UTC)
    for n, (line, site, status, stars, when) in enumerate([
            ("east_talk", "east_station", "completed", 5, placed),
            ("east_talk", "east_station", "cancelled", None, placed),
            ("east_care", "east_station", "completed", 2, placed),
            ("west_talk", "west_station", "completed", 5, placed),
            ("east_talk", "east_station", "completed", 3, placed + timedelta(days=30))]):
        order = Order(site_id=network[site].id, unit_site_id=network[site].id,
                      item_id=lines[line].id, phone="13900000000", status=status,
                      number=f"2603100000{n}", placed_at=when,
                      volunteer_id=helper.id if status == "completed" else None,
                      accepted_at=when + timedelta(minutes=5) if stars else None,
                      completed_at=when + timedelta(hours=1) if stars else None)
        db.session.add(order)
        db.session.flush()
        if stars:
            db.session.add(Rating(order_id=order.id, stars=stars))
    db.session.commit()


def _tickets(client, href: str) -> set[str]:
    board = client.get(html.unescape(href))
    assert board.status_code == 200, href
    return set(re.findall(r'<strong>(\d+)</strong>', board.get_data(as_text=True)))


def test_every_order_figure_opens_the_orders_behind_it(client, login, create_admin, network,
                                                       db):
    """Each order figure of the reports page links to the board with the same site, days and
    one more filter (status, brand, area or stars), and the board lists exactly the orders the
    figure counts; the west station's order and April's are in neither."""
    _orders(db, network)
    login(create_admin("institute_admin", network["east"]))
    page = client.get(f"/admin/reports/?{MARCH}").get_data(as_text=True)
    links = dict((html.unescape(label), href) for href, label in re.findall(
        r'<a href="(/admin/orders/\?[^"]+)">(?:<text[^>]*>)?(?:<title>[^<]*</title>)?([^<]+)<',
        page))
    expected = {BRANDS[0]: {"26031000000", "26031000001"}, BRANDS[4]: {"26031000002"},
                CONTENT_AREAS[0]: {"26031000000", "26031000001"},
                CONTENT_AREAS[3]: {"26031000002"}, "5 星": {"26031000000"},
                "2 星": {"26031000002"}}
    for label, numbers in expected.items():
        assert label in links, (label, sorted(links))
        assert _tickets(client, links[label]) == numbers, label
    everything = re.search(r'<a class="stat" href="(/admin/orders/\?[^"]+)"><div class="n">3<',
                           page)
    assert everything, "the orders tile counts the east's three March orders and opens them"
    assert _tickets(client, everything.group(1)) == {"26031000000", "26031000001",
                                                     "26031000002"}
    cancelled = re.search(r'<a href="(/admin/orders/\?[^"]*status=cancelled[^"]*)">1<', page)
    assert cancelled and _tickets(client, cancelled.group(1)) == {"26031000001"}


def test_the_board_s_new_filters_refuse_what_is_not_theirs(client, login, create_admin, network,
                                                          db):
    _orders(db, network)
    login(create_admin("institute_admin", network["east"]))
    west = client.get(f"/admin/orders/?site={network['west_station'].id}")
    missing = client.get("/admin/orders/?site=999999")
    assert west.status_code == missing.status_code == 404  # out of scope looks missing
    assert client.get("/admin/orders/?site=东村").status_code == 400
    assert client.get("/admin/orders/?site=" + "9" * 400).status_code == 404
    assert client.get("/admin/orders/?area=%00").status_code == 400  # the edge refuses NUL
    for junk in ("stars=9", "brand=nope", "area=x"):  # not a value: no filter, no error
        assert _tickets(client, f"/admin/orders/?{junk}&from=2026-03-01&to=2026-04-30") == {
            "26031000000", "26031000001", "26031000002", "26031000004"}


def test_the_board_says_when_it_shows_only_the_newest(client, login, create_admin, network, db,
                                                       monkeypatch):
    from server.orders import board

    _orders(db, network)
    login(create_admin("institute_admin", network["east"]))
    whole = client.get("/admin/orders/?from=2026-03-01").get_data(as_text=True)
    assert "显示最新" not in whole and len(_tickets(client, "/admin/orders/?from=2026-03-01")) == 4
    monkeypatch.setattr(board, "BOARD_LIMIT", 2)
    page = client.get("/admin/orders/?from=2026-03-01").get_data(as_text=True)
    assert "共 4 个订单，这里显示最新的 2 个" in page
    # April's, then the last written of three placed at the same instant
    assert _tickets(client, "/admin/orders/?from=2026-03-01") == {"26031000004", "26031000002"}


def test_teams_with_most_hours_count_their_members_shifts_in_scope(client, login, create_admin,
                                                                   network, db):
    """王 (east, 3 h in March) is in both teams, 李 (west, 0.5 h) in the second only: for the
    center the second team has 3.5 h, the first 3 h; for the east institute both have 3 h (李's
    west shifts are not its own); an empty team is not ranked. Each team's figure opens its
    members' shifts with the report's site and days."""
    from server.volunteers import teams
    from server.volunteers.models import Volunteer

    _fixture(db, network)
    wang, li = (db.session.scalar(select(Volunteer).where(Volunteer.name == name))
                for name in ("王小明", "李大华"))
    teams.create_team("测试区志愿服务总队", network["center"], is_general=True)  # no members
    first = teams.create_team("宣讲小分队", network["center"])
    second = teams.create_team("巾帼志愿服务队", network["center"])
    teams.create_team("空队", network["center"])
    teams.add_member(first, wang)
    teams.add_member(second, wang)
    teams.add_member(second, li)
    db.session.commit()
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert [(r.label, r.value) for r in report(network["center"], march).top_teams] == [
        ("巾帼志愿服务队", 3.5), ("宣讲小分队", 3.0)]
    east = report(network["east"], march)
    assert sorted((r.label, r.value) for r in east.top_teams) == [("宣讲小分队", 3.0),
                                                                 ("巾帼志愿服务队", 3.0)]
    assert east.active_volunteers == 1 and [r.label for r in east.top_volunteers] == ["王*明"]

    login(create_admin("district_admin", network["center"]))
    page = client.get(f"/admin/reports/?{MARCH}").get_data(as_text=True)
    link = re.search(rf'<a href="(/admin/shifts/\?[^"]*team={second.id}[^"]*)">3.5<', page)
    assert link, "the team's figure links to its shifts"
    shifts = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert "共 3 条" in shifts and "巾帼志愿服务队的成员" in shifts
    assert client.get("/admin/shifts/?team=999999").status_code == 404
    assert client.get("/admin/shifts/?team=abc").status_code == 404
    assert client.get("/admin/shifts/?team=" + "9" * 30).status_code == 404  # past the column
