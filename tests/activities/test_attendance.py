"""Sign-in linking: a sign-in by code at the activity's site during its time (from the grace
window before the start) counts for it — not one at another site, at another time, nor an
admin's hand entry; two activities never share one sign-in; no-shows and hours."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import PASSWORD, csrf_token_in
from tests.fixtures.activities import moment


def _sign(db, volunteer, site, at, minutes=90, *, method="kiosk"):
    """A sign-in and sign-out as the kiosk records them (verified, credited)."""
    from server.shifts.operations import sign

    sign(volunteer, site, at, method=method, verified=True, direction="in")
    if minutes:
        sign(volunteer, site, at + timedelta(minutes=minutes), method=method, verified=True,
             direction="out")
    db.session.commit()


def test_sign_ins_link_to_the_right_activity_only(db, network, make_activity, make_volunteer):
    from server.activities import attendance
    from server.shifts.operations import admin_entry

    start = moment(days=-1)
    here = make_activity(site=network["east_station"], starts_at=start, hours=2)
    elsewhere = make_activity(site=network["west_station"], starts_at=start, hours=2)
    came, early, too_early, late_day, away, by_hand = (make_volunteer(name=n) for n in (
        "准时到", "提前到", "太早到", "第二天", "去别处", "补录的"))
    _sign(db, came, network["east_station"], start + timedelta(minutes=5))
    _sign(db, early, network["east_station"], start - timedelta(minutes=20))  # in the grace
    _sign(db, too_early, network["east_station"], start - timedelta(minutes=45), minutes=20)
    _sign(db, late_day, network["east_station"], start + timedelta(days=1))
    _sign(db, away, network["west_station"], start + timedelta(minutes=5))
    admin_entry(by_hand, network["east_station"], start + timedelta(minutes=5),
                start + timedelta(minutes=95), "忘带志愿者码", actor="test")
    db.session.commit()

    seen = attendance.of_activity(here)
    assert seen.volunteers == {came.id, early.id}
    assert seen.minutes == 180  # two sign-ins of 90 counted minutes
    assert attendance.of_activity(elsewhere).volunteers == {away.id}


def test_back_to_back_activities_share_no_sign_in(db, network, make_activity,
                                                  make_volunteer):
    from server.activities import attendance, signups

    start = moment(days=-1)
    morning = make_activity(site=network["east_station"], starts_at=start, hours=2)
    late = make_activity(site=network["east_station"], starts_at=start + timedelta(hours=2),
                         hours=1)
    volunteer, other = make_volunteer(name="赶场的"), make_volunteer(name="报了名的")
    # 10 minutes before the second starts, inside the first: the nearest start wins.
    _sign(db, volunteer, network["east_station"], start + timedelta(minutes=110), minutes=60)
    # Signed up for the morning one, arriving in both windows: the sign-up decides.
    from server.activities.models import ActivitySignup

    db.session.add(ActivitySignup(activity_id=morning.id, volunteer_id=other.id,
                                  name=other.name, status="confirmed"))
    db.session.commit()
    _sign(db, other, network["east_station"], start + timedelta(minutes=100), minutes=30)
    assert attendance.of_activity(morning).volunteers == {other.id}
    assert attendance.of_activity(late).volunteers == {volunteer.id}
    both = attendance.linked_in([morning, late])
    assert sum(len(v) for v in both.values()) == 2
    assert signups.roster(morning)[0].volunteer_id == other.id


def test_no_shows_are_counted_once_the_activity_is_over(db, network, make_activity,
                                                        make_volunteer):
    from server.activities import attendance
    from server.activities.models import ActivitySignup

    start = moment(days=-2)
    activity = make_activity(site=network["east_station"], starts_at=start, hours=2)
    came, stayed_home = make_volunteer(name="来了"), make_volunteer(name="没来")
    for volunteer in (came, stayed_home):
        db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=volunteer.id,
                                      name=volunteer.name, status="confirmed"))
    db.session.commit()
    _sign(db, came, network["east_station"], start + timedelta(minutes=2))
    seen = attendance.of_activity(activity)
    assert [s.volunteer_id for s in seen.no_shows] == [stayed_home.id]
    upcoming = make_activity(site=network["east_station"], starts_at=moment(days=1))
    db.session.add(ActivitySignup(activity_id=upcoming.id, volunteer_id=stayed_home.id,
                                  name=stayed_home.name, status="confirmed"))
    db.session.commit()
    assert attendance.of_activity(upcoming).no_shows == []


def test_the_admin_page_shows_attendance_and_no_shows(app, client, db, network, make_activity,
                                                      make_volunteer, admin_session,
                                                      create_admin):
    from server.activities.models import ActivitySignup

    start = moment(days=-1)
    activity = make_activity(site=network["east_station"], starts_at=start, hours=2)
    came, absent = make_volunteer(name="张明华"), make_volunteer(name="李秀英")
    db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=absent.id,
                                  name=absent.name, status="confirmed"))
    db.session.commit()
    _sign(db, came, network["east_station"], start)
    admin_session()
    page = client.get(f"/admin/activities/{activity.id}").get_data(as_text=True)
    assert "张明华" in page and "未到场" in page and "1.5" in page
    db.session.rollback()
    west = create_admin("institute_admin", network["west"])
    other = app.test_client()
    token = csrf_token_in(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"username": west.username, "password": PASSWORD,
                               "csrf_token": token})
    assert other.get(f"/admin/activities/{activity.id}").status_code == 404
