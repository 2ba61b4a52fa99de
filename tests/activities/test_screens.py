"""What screens show: the kiosk's idle content (next activities here, the theme, the honor
roll) through its API and OpenAPI schema, and the sections of a point's landing page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from openapi_spec_validator import validate

from tests.fixtures.activities import moment


def _approved(db, network, name="王桂兰", site=None):
    from server.honors import operations as honors
    from server.honors.portraits import portrait_png
    from server.users.models import AdminUser

    admin = db.session.query(AdminUser).filter_by(role="district_admin").first()
    person = honors.nominate(name=name, category="好邻居", title="2024年度“好邻居”",
                             story="十几年来帮邻居照看孩子、修水管。",
                             site=site or network["east"], year=2024, consent=True,
                             actor="test")
    honors.set_photo(person, portrait_png(7))
    honors.decide(person, True, actor=admin)
    db.session.commit()
    return person


def test_the_kiosk_idle_content_and_its_schema(client, db, network, make_activity,
                                               kiosk_headers, create_admin):
    from server.activities import operations as ops
    from server.core.fields import this_month
    from server.core.timeutil import utcnow

    create_admin("district_admin", network["center"])
    headers = kiosk_headers(network["library"])
    assert client.get("/api/v1/kiosk/idle").status_code == 401
    empty = client.get("/api/v1/kiosk/idle", headers=headers).get_json()
    assert empty["activities"] == [] and empty["honorees"] == [] and empty["theme"] is None

    soon = make_activity(site=network["library"], starts_at=moment(days=1), capacity=20,
                         title="周末亲子阅读会")
    make_activity(site=network["east_station"], starts_at=moment(days=1))  # the unit's
    make_activity(site=network["library"], starts_at=moment(days=-3))  # over
    make_activity(site=network["west_station"], starts_at=moment(days=1))  # elsewhere
    ops.set_theme(network["center"], this_month(utcnow()), "学雷锋 志愿行", actor="test")
    person = _approved(db, network)
    _approved(db, network, "李德福", site=network["west"])  # another town: after the locals
    body = client.get("/api/v1/kiosk/idle", headers=headers).get_json()
    titles = [a["title"] for a in body["activities"]]
    assert titles[0] == "周末亲子阅读会" and len(titles) == 2  # here, then the station above
    assert body["activities"][0]["places_left"] == 20 and "周" in body["activities"][0]["when"]
    assert body["theme"]["title"] == "学雷锋 志愿行"
    assert body["honorees"][0]["name"] == "王桂兰"
    photo = body["honorees"][0]["photo_url"]
    assert photo.startswith("https://zhaohua.example.org/honors/")
    image = client.get(photo.split("zhaohua.example.org")[1])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert "immutable" in image.headers["Cache-Control"]
    assert soon.id and person.id

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert "/kiosk/idle" in document["paths"]
    assert "KioskIdle" in document["components"]["schemas"]


def test_a_points_landing_page_shows_the_rhythm(client, db, network, make_activity,
                                                create_admin):
    from server.activities import operations as ops
    from server.codes.operations import code_url, ensure_point_code
    from server.core.fields import this_month
    from server.core.timeutil import utcnow

    create_admin("district_admin", network["center"])
    code = ensure_point_code(network["library"])
    db.session.commit()
    path = urlsplit(code_url(code)).path
    plain = client.get(path).get_data(as_text=True)
    assert "近期的活动" not in plain and "身边的先进典型" not in plain

    make_activity(site=network["library"], starts_at=moment(days=2), title="周末亲子阅读会")
    ops.set_theme(network["east"], this_month(utcnow()), "院坝说事月", actor="test")
    _approved(db, network)
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "院坝说事月" in page and "周末亲子阅读会" in page and "王桂兰" in page
    assert page.index("东村图书室") < page.index("周末亲子阅读会")  # the place comes first


def test_a_rooms_poster_opens_its_booking(client, db, network):
    from datetime import time

    from server.codes.operations import code_url, point_code
    from server.rooms import operations as rooms

    room = rooms.create_room(building=network["center"], name="书画室", zone="文化活动",
                             capacity=30, opens=time(9), closes=time(20), actor="test")
    db.session.commit()
    path = urlsplit(code_url(point_code(room.site))).path
    page = client.get(path).get_data(as_text=True)
    assert "书画室" in page and "预约这间功能室" in page and f"/rooms/{room.id}/book" in page
    assert timedelta(hours=1)


def test_odd_input_never_answers_5xx(client, db, network, make_activity, admin_session):
    activity = make_activity()
    admin_session()
    odd = ["0", "-1", "99999999999999999999", "abc", "%00", "１２", "1e3"]
    paths = []
    for value in odd:
        paths += [f"/api/v1/activities?site_id={value}", f"/api/v1/honors?site_id={value}",
                  f"/admin/activities/?month={value}&brand={value}&page={value}",
                  f"/admin/activities/stats?from={value}&to={value}",
                  f"/admin/projects/board?month={value}", f"/admin/honors/?status={value}",
                  f"/activities/r/{value}", f"/rooms/b/{value}", f"/calendar/v/{value}.ics"]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    for field in ("title", "description", "capacity", "starts_at"):
        answer = client.post(f"/admin/activities/{activity.id}/edit", data={
            "csrf_token": token, "title": "x", "starts_at": "2026-03-06T09:00",
            "ends_at": "2026-03-06T11:00", field: "bad\x00value" * 50})
        assert answer.status_code in (200, 302, 400), (field, answer.status_code)
