"""The counts the reports need (by brand, area, unit, month; 一月一助 completion), the CSV
exports, and the iCalendar feeds parsed back with the icalendar library."""

from __future__ import annotations

from datetime import timedelta

import icalendar

from tests.fixtures.activities import moment


def _sign(db, volunteer, site, at, minutes=60):
    from server.shifts.operations import sign

    sign(volunteer, site, at, method="kiosk", verified=True, direction="in")
    sign(volunteer, site, at + timedelta(minutes=minutes), method="kiosk", verified=True,
         direction="out")
    db.session.commit()


def test_counts_by_brand_area_unit_and_month(db, network, make_activity, make_volunteer):
    from server.activities import signups, stats
    from server.activities.operations import local_month

    start = moment(days=-3)
    east = make_activity(site=network["east_station"], starts_at=start, brand="理响巴蜀",
                         content_area="宣传宣讲党的政策")
    west = make_activity(site=network["west_station"], starts_at=start, brand="情暖万家",
                         content_area="培育践行主流价值")
    make_activity(site=network["west_station"], starts_at=moment(days=5), brand="情暖万家",
                  content_area="培育践行主流价值")
    a, b = make_volunteer(name="甲"), make_volunteer(name="乙")
    _sign(db, a, network["east_station"], start, minutes=90)
    _sign(db, b, network["east_station"], start + timedelta(minutes=1), minutes=30)
    _sign(db, a, network["west_station"], start + timedelta(hours=3), minutes=60)  # too late
    signups.sign_up(west, phone="13908120009", name="刘奶奶", now=start - timedelta(days=1))
    db.session.commit()

    first = local_month(start)
    last = local_month(moment(days=5))
    result = stats.counts(network["center"], first, last)
    assert result.total.activities == 3 and result.total.held == 2
    assert result.total.volunteer_attendances == 2 and result.total.resident_registrations == 1
    assert result.total.participants == 3 and result.total.hours == 2.0
    assert result.by_brand["理响巴蜀"].hours == 2.0 and result.by_brand["德耀巴蜀"].activities == 0
    assert result.by_area["培育践行主流价值"].activities == 2
    assert result.by_unit[network["east"].name].volunteer_attendances == 2
    assert result.by_unit[network["west"].name].resident_registrations == 1
    assert sum(t.activities for t in result.by_month.values()) == 3
    assert east.id != west.id

    town = stats.counts(network["east"], first, last)  # an institute sees its own
    assert town.total.activities == 1
    assert set(town.by_unit) == {network["east_station"].name}


def test_the_counts_page_api_and_export(client, db, network, make_activity, admin_session):
    make_activity(site=network["east_station"], starts_at=moment(days=-2))
    admin_session()
    page = client.get("/admin/activities/stats")
    assert page.status_code == 200 and "按项目品牌" in page.get_data(as_text=True)
    year = moment().year
    api = client.get(f"/api/v1/activities/stats?from=2000-01&to={year + 1}-12")
    assert api.status_code == 200
    body = api.get_json()  # at most three years, the last ones of the period asked
    assert body["total"]["activities"] == 1 and len(body["by_month"]) == 36
    assert body["from"] == f"{year - 1}-01" and body["to"] == f"{year + 1}-12"
    assert set(body["by_brand"]) == {"理响巴蜀", "德耀巴蜀", "文润天府", "风新四川", "情暖万家"}
    assert client.get("/api/v1/activities/stats?from=2026-13").get_json()["error"]["field"] \
        == "from"
    csv = client.get("/admin/activities/stats.csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.data.startswith("\ufeff".encode()) and "合计".encode() in csv.data
    listing = client.get("/admin/activities/export.csv").data.decode("utf-8-sig")
    assert listing.splitlines()[0].startswith("标题,站点,开始")
    assert "学雷锋志愿服务" in listing


def test_a_formula_typed_by_someone_stays_text_in_the_export(client, db, network,
                                                            make_activity, admin_session):
    make_activity(title="=HYPERLINK(\"http://x\")")
    admin_session()
    listing = client.get("/admin/activities/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in listing


def _events(data: bytes):
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_site_team_and_room_feeds_parse_back(client, db, network, make_activity):
    from server.activities import operations as ops
    from server.volunteers import teams

    teams.create_team("志愿服务总队", network["center"], is_general=True, actor="test")
    team = teams.create_team("党员先锋志愿服务分队", network["center"], actor="test")
    db.session.commit()
    start = moment(days=3)
    first = make_activity(site=network["east_station"], starts_at=start, team=team,
                          description="第一行\n第二行，带逗号; 分号")
    gone = make_activity(site=network["east_station"], starts_at=start + timedelta(days=7))
    hidden = make_activity(site=network["east_station"], is_public=False)
    ops.cancel_activity(gone, "下雨", actor="test")
    db.session.commit()

    answer = client.get(f"/calendar/site/{network['east_station'].id}.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar, events = _events(answer.data)
    assert str(calendar["VERSION"]) == "2.0" and "东村" in str(calendar["X-WR-CALNAME"])
    assert set(events) == {f"activity-{first.id}@wenming", f"activity-{gone.id}@wenming"}
    event = events[f"activity-{first.id}@wenming"]
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(hours=2)
    assert "第二行，带逗号; 分号" in str(event["DESCRIPTION"])
    assert str(events[f"activity-{gone.id}@wenming"]["STATUS"]) == "CANCELLED"
    assert hidden.id not in {int(uid.split("-")[1].split("@")[0]) for uid in events}
    assert all(len(line) <= 75 for line in answer.data.split(b"\r\n"))  # folded lines

    team_feed = client.get(f"/calendar/team/{team.id}.ics")
    assert set(_events(team_feed.data)[1]) == {f"activity-{first.id}@wenming"}
    assert client.get("/calendar/team/99999999999.ics").status_code == 404
    assert client.get("/calendar/site/0.ics").status_code == 404


def test_a_volunteers_private_feed_and_a_new_link_stops_the_old(client, db, network,
                                                                make_activity, make_volunteer,
                                                                phone_session):
    from server.activities import signups

    full = make_activity(capacity=1, starts_at=moment(days=4))
    volunteer, other = make_volunteer(), make_volunteer(name="先到的")
    signups.sign_up(full, volunteer=other)
    waiting = signups.sign_up(full, volunteer=volunteer)
    db.session.commit()
    assert waiting.status == "waitlisted"
    token = phone_session(client, volunteer)
    made = client.post("/v/activities/calendar", data={"csrf_token": token})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    url = made.get_data(as_text=True).split('id="feed-url">')[1].split("<")[0]
    path = url.split("zhaohua.example.org")[1]
    feed = client.get(path)
    assert feed.status_code == 200 and "no-store" in feed.headers["Cache-Control"]
    _, events = _events(feed.data)
    assert str(events[f"activity-{full.id}@wenming"]["STATUS"]) == "TENTATIVE"

    again = client.post("/v/activities/calendar", data={"csrf_token": token})
    assert again.status_code == 200
    assert client.get(path).status_code == 404  # the old link stopped working
    assert client.get("/calendar/v/" + "x" * 30 + ".ics").status_code == 404
