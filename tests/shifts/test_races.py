"""Races with real threads and connections (meant for PostgreSQL; SQLite serialises writers)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import func, select

from qr.presence import step_at
from server.devices.models import KioskAction
from server.shifts.models import Shift
from tests.conftest import csrf_token_in
from tests.fixtures.devices import Kiosk, phone_login, presence_path, sign_action


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # surfaced below: a thread's failure fails the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_kiosk_and_phone_at_the_same_moment_leave_one_open_shift(app, db, enroll_kiosk,
                                                                 create_volunteer):
    kiosk = enroll_kiosk()
    for round_ in range(4):
        volunteer, card = create_volunteer(f"同时{round_}号")
        phone = app.test_client()
        phone_login(phone, volunteer)
        path = presence_path(kiosk, step_at())
        token = csrf_token_in(phone.get(path).get_data(as_text=True))
        kiosk_client = Kiosk(app.test_client(), kiosk.enrolled)
        now = datetime.now(UTC)
        kiosk_answer, phone_answer = _run_together(
            partial(kiosk_client.upload, [sign_action(card, now)]),
            partial(phone.post, path, data={"csrf_token": token}))
        assert kiosk_answer.status_code == 200
        answer = kiosk_answer.get_json()["answers"][0]
        assert answer["status"] == 200 and answer["result"]["action"] in ("in", "noop")
        assert phone_answer.status_code == 302
        assert phone.get(phone_answer.headers["Location"]).status_code == 200
        db.session.rollback()
        shifts = db.session.scalars(select(Shift).where(
            Shift.volunteer_id == volunteer.id)).all()
        assert len(shifts) == 1 and shifts[0].is_open


def test_the_same_batch_uploaded_twice_at_once_is_applied_once(app, db, enroll_kiosk,
                                                               create_volunteer):
    kiosk = enroll_kiosk()
    cards = [create_volunteer(f"批量{i}号")[1] for i in range(15)]
    now = datetime.now(UTC)
    batch = [sign_action(card, now, key=f"race-{i}") for i, card in enumerate(cards)]
    first, second = (Kiosk(app.test_client(), kiosk.enrolled) for _ in range(2))
    one, two = _run_together(lambda: first.upload(batch), lambda: second.upload(batch))
    assert one.status_code == two.status_code == 200
    assert one.get_json()["answers"] == two.get_json()["answers"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 15
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 15


def test_the_forgotten_shift_rule_and_a_card_read_at_once_close_it_once(app, db, runner,
                                                                       enroll_kiosk,
                                                                       create_volunteer):
    kiosk = enroll_kiosk()
    for round_ in range(3):
        volunteer, card = create_volunteer(f"忘记{round_}号")
        start = datetime.now(UTC) - timedelta(hours=11)  # past the 10-hour maximum
        assert kiosk.sign(card, start)["result"]["action"] == "in"
        reader = Kiosk(app.test_client(), kiosk.enrolled)
        answer, _ = _run_together(
            partial(reader.upload, [sign_action(card, datetime.now(UTC))]),
            partial(runner.invoke, args=["shifts", "close-forgotten"]))
        result = answer.get_json()["answers"][0]["result"]
        db.session.rollback()
        shifts = db.session.scalars(select(Shift).where(
            Shift.volunteer_id == volunteer.id).order_by(Shift.id)).all()
        if result["action"] == "out":  # the read came first: an ordinary sign-out
            [shift] = shifts
            assert "auto_closed" not in shift.flags and not shift.is_open
        else:  # the rule came first: the read sees the closed shift and starts a new one
            assert result["action"] == "in"
            closed, opened = shifts
            assert "auto_closed" in closed.flags and opened.is_open
