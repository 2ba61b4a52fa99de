"""A shift started at the kiosk and ended on the poster: only its end is unproven, so its hours
count (flagged for a look); the kiosk's sign-out answer says how long the shift counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from server.codes.operations import code_url, ensure_point_code
from server.ledger.operations import balance
from server.shifts.models import Shift
from tests.conftest import csrf_token_in
from tests.fixtures.devices import phone_login


def _shift(db) -> Shift:
    db.session.rollback()
    return db.session.scalar(select(Shift).order_by(Shift.id.desc()))


def test_a_kiosk_started_shift_ended_on_the_poster_counts(client, db, network, enroll_kiosk,
                                                          create_volunteer):
    volunteer, card = create_volunteer()
    kiosk = enroll_kiosk()
    started = kiosk.sign(card, datetime.now(UTC) - timedelta(minutes=61))
    assert started["result"]["action"] == "in" and started["result"]["credited_minutes"] is None
    poster = urlsplit(code_url(ensure_point_code(network["library"]))).path
    db.session.commit()
    phone_login(client, volunteer)
    landing = client.get(poster).get_data(as_text=True)
    ended = client.post(f"/v/shifts/poster/{poster.rsplit('/', 1)[1]}",
                        data={"csrf_token": csrf_token_in(landing)})
    assert ended.status_code == 302
    shift = _shift(db)
    assert shift.ended_at is not None and shift.end_method == "poster"
    assert shift.review == "none" and shift.credited_minutes == 60
    assert "end_unverified" in shift.flags and "unverified" not in shift.flags
    assert balance(shift.volunteer) == 10  # credited at once, 10 points an hour
    page = client.get(ended.headers["Location"]).get_data(as_text=True)
    assert "您用海报签退" in page and "需要站点管理员审核" not in page


def test_a_shift_with_no_proof_at_all_still_waits_for_approval(client, db, network,
                                                               create_volunteer):
    from server.shifts import ways

    volunteer, _ = create_volunteer()
    token = urlsplit(code_url(ensure_point_code(network["library"]))).path.rsplit("/", 1)[1]
    db.session.commit()
    ways.sign_by_poster(volunteer, token, now=datetime.now(UTC) - timedelta(hours=1))
    ways.sign_by_poster(volunteer, token)
    db.session.commit()
    shift = _shift(db)
    assert shift.review == "pending" and "unverified" in shift.flags
    assert "end_unverified" not in shift.flags and balance(shift.volunteer) == 0


def test_the_kiosk_sign_out_answer_carries_the_counted_minutes(db, enroll_kiosk,
                                                               create_volunteer):
    _, card = create_volunteer()
    kiosk = enroll_kiosk()
    day = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    kiosk.sign(card, day)
    out = kiosk.sign(card, day + timedelta(hours=2, minutes=1))
    assert out["result"]["action"] == "out" and out["result"]["credited_minutes"] == 120
