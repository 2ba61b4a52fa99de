"""Sign paths the fast kiosk route folds together: the right shift is found in every case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.devices.models import KioskAction
from server.shifts.models import Shift
from tests.fixtures.devices import sign_action

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in 昭化


def _shifts(db):
    db.session.rollback()
    return list(db.session.scalars(select(Shift).order_by(Shift.id)))


def test_a_late_upload_right_after_a_sign_out_here_is_a_repeat_even_after_a_shift_elsewhere(
        db, network, enroll_kiosk, create_volunteer):
    here = enroll_kiosk(network["library"])
    there = enroll_kiosk(network["west_station"])
    _, card = create_volunteer()
    here.sign(card, DAY)
    assert here.sign(card, DAY + timedelta(hours=1))["result"]["action"] == "out"
    there.sign(card, DAY + timedelta(hours=2))
    there.sign(card, DAY + timedelta(hours=3))  # the last shift to end is elsewhere
    # An offline kiosk uploads a second read of the card, 30 s after the sign-out here.
    late = here.sign(card, DAY + timedelta(hours=1, seconds=30))
    first, second = _shifts(db)
    assert late["result"]["action"] == "noop" and late["result"]["shift_id"] == first.id
    assert len(_shifts(db)) == 2 and not second.is_open


def test_a_sign_in_older_than_the_last_shift_elsewhere_is_out_of_order(
        db, network, enroll_kiosk, create_volunteer):
    here = enroll_kiosk(network["library"])
    there = enroll_kiosk(network["west_station"])
    _, card = create_volunteer()
    there.sign(card, DAY + timedelta(hours=2))
    there.sign(card, DAY + timedelta(hours=3))
    answer = here.sign(card, DAY + timedelta(hours=1))
    assert (answer["status"], answer["error"]["code"]) == (409, "out_of_order")
    assert len(_shifts(db)) == 1


def test_the_same_key_twice_in_one_batch_is_applied_once(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    action = sign_action(card, DAY, key="twice")
    other = sign_action(card, DAY + timedelta(hours=1), key="twice")
    first, again, reused = kiosk.upload([action, action, other]).get_json()["answers"]
    assert first["result"]["action"] == "in" and again == first
    assert (reused["status"], reused["error"]["code"]) == (422, "key_reused")
    assert len(_shifts(db)) == 1
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 1


def test_a_refused_read_keeps_the_kiosks_health_and_its_answer(db, enroll_kiosk,
                                                                 create_volunteer):
    from server.devices.models import Device

    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    answer = kiosk.sign(card, DAY, direction="out", clock_offset_ms=1500)
    assert (answer["status"], answer["error"]["code"]) == (409, "no_open_shift")
    db.session.rollback()
    device = db.session.get(Device, kiosk.id)
    assert device.clock_offset_ms == 1500 and device.last_seen_at is not None
    stored = db.session.scalar(select(KioskAction))
    assert stored.status == 409 and stored.response["error"]["code"] == "no_open_shift"


def test_clock_offset_jitter_does_not_rewrite_the_kiosk_row(db, enroll_kiosk, create_volunteer):
    # Every upload measures the offset anew; a change under a second is network jitter.
    from server.devices.models import Device

    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    offsets = []
    for hours, reported in ((0, 5000), (1, 5400), (2, 3900), (3, 9000)):
        kiosk.sign(card, DAY + timedelta(hours=hours), clock_offset_ms=reported)
        db.session.rollback()
        offsets.append(db.session.get(Device, kiosk.id).clock_offset_ms)
    assert offsets == [5000, 5000, 3900, 9000]


@pytest.mark.parametrize("extra", [{"clock_offset_ms": -510_887_220_852},
                                   {"sent_at": "2099-01-01T00:00:00+08:00"}],
                         ids=["reported", "measured"])
def test_a_clock_off_by_years_is_stored_as_far_off_as_the_column_holds(
        db, enroll_kiosk, create_volunteer, extra):
    # Found by schemathesis: an offset beyond ±2³¹ ms was a 500 on PostgreSQL (the column is an
    # integer). The sign is still answered, and the kiosk list shows the clock as far off.
    from server.core.edge import INT32
    from server.devices.models import Device

    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    response = kiosk.upload([sign_action(card, DAY)], **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Device, kiosk.id).clock_offset_ms in INT32


def test_the_last_shift_to_end_is_found_by_time_in_a_long_record(
        db, network, enroll_kiosk, create_volunteer):
    """A sign looks up the last shift to end by time (the closed shift that started last: a
    volunteer's shifts never overlap), not by when it was written: an admin entry made later
    for an earlier day does not count as the latest."""
    from server.shifts import operations as ops

    here = enroll_kiosk(network["library"])
    volunteer, card = create_volunteer()
    for week in range(30):
        start = DAY - timedelta(weeks=30 - week)
        ops.admin_entry(volunteer, network["library"], start, start + timedelta(hours=2),
                        "补录历史记录", actor="test")
    db.session.commit()
    here.sign(card, DAY)
    latest = here.sign(card, DAY + timedelta(hours=2))
    assert latest["result"]["action"] == "out"
    ops.admin_entry(volunteer, network["library"], DAY - timedelta(weeks=40),
                    DAY - timedelta(weeks=40) + timedelta(hours=1), "更早的补录", actor="test")
    db.session.commit()
    repeat = here.sign(card, DAY + timedelta(hours=2, seconds=30))
    assert repeat["result"] == {**latest["result"], "action": "noop",
                                "at": repeat["result"]["at"]}
    early = here.sign(card, DAY + timedelta(hours=1))
    assert (early["status"], early["error"]["code"]) == (409, "out_of_order")
    assert here.sign(card, DAY + timedelta(hours=3))["result"]["action"] == "in"
    assert len(_shifts(db)) == 30 + 1 + 1 + 1
