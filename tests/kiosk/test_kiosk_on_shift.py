"""A volunteer who signed in elsewhere (the phone on this kiosk's presence code, another kiosk
at the site, the poster) is signed out by a card read here, and the screen says how long the
service was: the changes poll lists who is signed in at the site and since when."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.fixtures.kiosk import written


def _sign_on_server(db, number: str, site, minutes_ago: int, method: str = "presence"):
    """A sign at `site` the kiosk did not see, `minutes_ago` minutes ago."""
    from server.core.timeutil import utcnow
    from server.shifts.operations import sign
    from server.volunteers.models import Volunteer

    with written(db):
        volunteer = db.session.scalars(select(Volunteer).where(Volunteer.number == number)).one()
        return sign(volunteer, site, utcnow() - timedelta(minutes=minutes_ago), method=method,
                    verified=True).action


def test_the_changes_poll_lists_who_is_signed_in_at_the_kiosks_site_only(
        client, db, enroll_kiosk, make_volunteers, network):
    headers = enroll_kiosk().headers  # at the library
    (here, _, _), (there, _, _) = make_volunteers(2)
    assert _sign_on_server(db, here, network["library"], 30) == "in"
    assert _sign_on_server(db, there, network["east_station"], 30) == "in"
    answer = client.get("/api/v1/kiosk/changes", headers=headers).get_json()
    assert [e["number"] for e in answer["on_shift"]] == [here]
    assert answer["on_shift"][0]["started_at"].endswith("+00:00")


def test_a_card_read_signs_out_a_shift_begun_on_the_phone_and_says_its_length(
        kiosk, db, make_volunteers, network):
    (number, _, url), = make_volunteers(1)
    kiosk.sync.once()
    assert _sign_on_server(db, number, network["library"], 80) == "in"
    kiosk.sync.once()  # the poll a few seconds later
    assert kiosk.store.volunteer(number)["is_on_shift"] == 1
    kiosk.sign(url)
    result = kiosk.screen.result
    assert result.title == "签退成功"
    assert "本次服务 1小时20分钟" in result.detail
    assert result.say == ["signed_out", "service_took", "n1", "xiaoshi", "n2", "n10", "fenzhong"]
    kiosk.sync.once()  # the server agrees: no correction for whoever stands there
    assert kiosk.status()["note"] == ""
    assert kiosk.store.volunteer(number)["is_on_shift"] == 0


def test_a_sign_out_the_kiosk_had_not_heard_of_is_corrected_with_its_length(
        kiosk, db, make_volunteers, network):
    (number, name, url), = make_volunteers(1)
    kiosk.sync.once()
    assert _sign_on_server(db, number, network["library"], 95) == "in"
    kiosk.sign(url)  # before the next poll: the kiosk guesses a sign-in
    assert kiosk.screen.result.title == "签到成功"
    kiosk.sync.once()
    assert kiosk.status()["note"] == f"{name}：服务器记录为签退，本次服务 1小时35分钟"


def test_a_shift_ended_elsewhere_is_forgotten_at_the_next_poll(kiosk, db, make_volunteers,
                                                               network):
    (number, _, url), = make_volunteers(1)
    kiosk.sync.once()
    kiosk.sign(url)
    kiosk.sync.once()
    assert kiosk.store.volunteer(number)["is_on_shift"] == 1
    assert _sign_on_server(db, number, network["east_station"], 0) == "in"  # moved: closed here
    kiosk.sync.once()
    assert kiosk.store.volunteer(number)["is_on_shift"] == 0
    assert kiosk.store.volunteer(number)["shift_started_at"] is None


def test_a_pending_sign_keeps_the_kiosks_own_idea(kiosk, make_volunteers):
    (number, _, _), = make_volunteers(1)
    kiosk.store.record("sign", {"code": "x"}, "2026-12-01T00:00:00+00:00",
                       {"ok": True, "number": number, "direction": "in"}, on_shift=(number, True))
    kiosk.store.sync_on_shift([], complete=True)  # made before the server saw the sign
    assert kiosk.store.volunteer(number)["is_on_shift"] == 1
