"""Places and the waitlist: exactly `capacity` confirmed, the rest waiting in order of arrival,
promoted when a place is given up — also when 50 people sign up at the same moment."""

from __future__ import annotations

import threading

from sqlalchemy import select

from tests.fixtures.activities import form_token, moment


def _states(db, activity):
    from server.activities.models import ActivitySignup

    db.session.rollback()
    return [(s.volunteer_id, s.status) for s in db.session.scalars(
        select(ActivitySignup).where(ActivitySignup.activity_id == activity.id)
        .order_by(ActivitySignup.id))]


def test_capacity_then_waitlist_then_promotion_in_order(db, make_activity, make_volunteer):
    from server.activities import signups

    activity = make_activity(capacity=2)
    people = [make_volunteer(name=f"志愿者{i}") for i in range(4)]
    places = [signups.sign_up(activity, volunteer=v) for v in people]
    db.session.commit()
    assert [p.status for p in places] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [signups.waitlist_position(p) for p in places] == [None, None, 1, 2]
    assert signups.sign_up(activity, volunteer=people[0]).id == places[0].id  # asked twice

    promoted = signups.cancel(places[1])
    db.session.commit()
    assert promoted.id == places[2].id and promoted.status == "confirmed"
    assert signups.waitlist_position(places[3]) == 1
    assert signups.cancel(places[3]) is None  # a waitlist spot frees no place
    db.session.commit()
    assert [s for _, s in _states(db, activity)] == ["confirmed", "cancelled", "confirmed",
                                                      "cancelled"]


def test_more_places_promote_the_waitlist(db, make_activity, make_volunteer):
    from server.activities import operations as ops
    from server.activities import signups

    activity = make_activity(capacity=1)
    places = [signups.sign_up(activity, volunteer=make_volunteer()) for _ in range(3)]
    ops.update_activity(activity, capacity=3, actor="test")
    db.session.commit()
    assert {s for _, s in _states(db, activity)} == {"confirmed"}
    assert len(places) == 3


def test_fifty_sign_ups_at_once_confirm_exactly_capacity(app, db, make_activity,
                                                         make_volunteer):
    from server.activities import signups
    from server.activities.models import Activity
    from server.core.db import writing
    from server.extensions import db as ext_db
    from server.volunteers.models import Volunteer

    capacity = 12
    activity = make_activity(capacity=capacity)
    activity_id = activity.id  # read here: the threads must not touch the test's own session
    ids = [make_volunteer(name=f"志愿者{i:02d}").id for i in range(50)]
    start = threading.Barrier(len(ids))
    failures = []

    def one(volunteer_id):
        try:
            with app.app_context(), writing():
                start.wait()
                signups.sign_up(ext_db.session.get(Activity, activity_id),
                                volunteer=ext_db.session.get(Volunteer, volunteer_id))
                ext_db.session.commit()
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            failures.append(repr(error))

    threads = [threading.Thread(target=one, args=(v,)) for v in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    states = _states(db, activity)
    assert len(states) == 50
    assert [s for _, s in states].count("confirmed") == capacity
    # In order of arrival: every confirmed place came before every waitlist spot.
    statuses = [s for _, s in states]
    assert statuses == ["confirmed"] * capacity + ["waitlisted"] * (50 - capacity)

    # Three give up their place: the first three waiting move up, in order.
    from server.activities.models import ActivitySignup

    confirmed = db.session.scalars(select(ActivitySignup).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.status == "confirmed")
        .order_by(ActivitySignup.id)).all()
    for place in confirmed[:3]:
        signups.cancel(place)
    db.session.commit()
    after = [s for _, s in _states(db, activity)]
    assert after.count("confirmed") == capacity
    assert after[capacity:capacity + 3] == ["confirmed"] * 3
    assert after[capacity + 3:] == ["waitlisted"] * (50 - capacity - 3)


def test_a_resident_registers_by_phone_and_cancels_by_the_link(client, db, make_activity):
    activity = make_activity(capacity=1)
    url = f"/activities/{activity.id}"
    page = client.get(url)
    assert page.status_code == 200 and "学雷锋志愿服务" in page.get_data(as_text=True)
    token = form_token(client, url)

    bad = client.post(f"{url}/join", data={"csrf_token": token, "name": "刘奶奶",
                                           "phone": "12345"})
    assert bad.status_code == 400
    assert "11 位手机号码" in bad.get_data(as_text=True)

    done = client.post(f"{url}/join", data={"csrf_token": token, "name": "刘奶奶",
                                            "phone": "139 0812 0001"})
    assert done.status_code == 302
    receipt = done.headers["Location"]
    shown = client.get(receipt).get_data(as_text=True)
    assert "名额已确认" in shown and "139****0001" in shown and "13908120001" not in shown

    second = client.post(f"{url}/join", data={"csrf_token": token, "name": "陈大爷",
                                              "phone": "13908120002"})
    assert "候补" in client.get(second.headers["Location"]).get_data(as_text=True)

    cancelled = client.post(receipt + "/cancel", data={"csrf_token": form_token(client,
                                                                                receipt)})
    assert cancelled.status_code == 302
    assert "已取消" in client.get(receipt).get_data(as_text=True)
    assert "名额已确认" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert client.get("/activities/r/forged-token").status_code == 404


def test_volunteers_only_and_cancelled_activities_refuse(client, db, make_activity):
    from server.activities import operations as ops
    from server.activities import signups
    from server.core.errors import DomainError

    private = make_activity(is_public=False)
    assert client.get(f"/activities/{private.id}").status_code == 404
    try:
        signups.sign_up(private, phone="13908120003", name="赵阿姨")
    except DomainError as error:
        assert error.code == "volunteers_only"
    else:
        raise AssertionError("a resident got a place in a volunteers-only activity")
    db.session.rollback()

    gone = make_activity()
    ops.cancel_activity(gone, "下雨改期", actor="test")
    db.session.commit()
    token = form_token(client, f"/activities/{gone.id}")
    answer = client.post(f"/activities/{gone.id}/join",
                         data={"csrf_token": token, "name": "赵阿姨", "phone": "13908120003"})
    assert answer.status_code == 409 and "已取消" in answer.get_data(as_text=True)


def test_a_volunteer_signs_up_by_phone_and_sees_the_reminder(client, db, make_activity,
                                                            make_volunteer, phone_session):
    activity = make_activity(starts_at=moment(days=1), capacity=5)
    volunteer = make_volunteer()
    assert client.post(f"/api/v1/activities/{activity.id}/signup").status_code in (400, 401)
    token = phone_session(client, volunteer)
    answer = client.post(f"/api/v1/activities/{activity.id}/signup",
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["status"] == "confirmed"
    mine = client.get("/v/activities").get_data(as_text=True)
    assert "提醒" in mine and "学雷锋志愿服务" in mine

    left = client.post(f"/api/v1/activities/{activity.id}/cancel",
                       headers={"X-CSRFToken": token})
    assert left.get_json()["status"] == "cancelled"
    missing = client.post(f"/api/v1/activities/{activity.id}/cancel",
                          headers={"X-CSRFToken": token})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == \
        "signup_not_found"


def test_the_api_without_a_phone_session_answers_in_the_error_shape(client, db,
                                                                    make_activity):
    activity = make_activity()
    from server.extensions import csrf

    assert csrf is not None
    answer = client.get(f"/api/v1/activities/{activity.id}")
    assert answer.status_code == 200 and answer.get_json()["places_left"] is None
    missing = client.get("/api/v1/activities/99999999999")
    assert missing.status_code == 404
    # Checked at the edge against the declared parameter: an id that is no number is refused.
    assert client.get("/api/v1/activities?site_id=abc").get_json()["error"]["code"] == \
        "invalid_parameter"
