"""The kiosk's action batch: sign-in and sign-out by card, idempotent keys, refusals kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.core.audit import AuditEvent
from server.devices.models import KioskAction
from server.shifts.models import Shift
from tests.fixtures.devices import hours_ago, iso, sign_action
from tests.forgery import tampered

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in 昭化, a past Monday


def _shifts(db):
    db.session.rollback()
    return list(db.session.scalars(select(Shift).order_by(Shift.id)))


def test_card_signs_in_then_out_and_hours_are_credited(db, enroll_kiosk, create_volunteer):
    from server.ledger.operations import balance

    kiosk = enroll_kiosk()
    volunteer, card = create_volunteer()
    answer = kiosk.sign(card, DAY)
    assert answer["status"] == 200
    assert answer["result"]["action"] == "in"
    assert answer["result"]["volunteer"]["name"] == "王*英"
    [shift] = _shifts(db)
    assert shift.is_open and shift.is_verified and shift.start_method == "kiosk"
    out = kiosk.sign(card, DAY + timedelta(hours=2, minutes=1))
    assert out["result"]["action"] == "out" and out["result"]["shift_id"] == shift.id
    [shift] = _shifts(db)
    assert shift.credited_minutes == 120  # default rounding: nearest 5 minutes
    assert shift.review == "none" and shift.flags == []
    assert balance(shift.volunteer) > 0


def test_refusals_are_answered_stored_and_audited(db, enroll_kiosk, create_volunteer):
    from server.volunteers import operations as vops

    kiosk = enroll_kiosk()
    volunteer, card = create_volunteer()
    forged = tampered(card, 3)
    vops.reissue_code(volunteer, "卡丢了")
    db.session.commit()
    response = kiosk.upload([
        sign_action(forged, DAY, key="forged"),
        sign_action(card, DAY, key="revoked"),
        sign_action("https://elsewhere.example.com/S/ABC", DAY, key="foreign"),
        sign_action(card, DAY, key="bad-dir", direction="sideways"),
    ])
    assert response.status_code == 200
    answers = {a["key"]: (a["status"], a["error"]["code"]) for a in
               response.get_json()["answers"]}
    assert answers["forged"][1] in ("code_tampered", "code_garbage")
    assert answers["revoked"] == (410, "code_revoked")
    assert answers["foreign"] == (400, "code_foreign")
    assert answers["bad-dir"] == (400, "invalid_direction")
    assert _shifts(db) == []
    stored = {a.client_key: a.status for a in db.session.scalars(select(KioskAction))}
    assert stored == {"forged": answers["forged"][0], "revoked": 410, "foreign": 400,
                      "bad-dir": 400}
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "kiosk.action_refused")).all()
    assert sorted(e.details["key"] for e in refused) == sorted(stored)


def test_one_refusal_does_not_undo_the_rest_of_the_batch(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    response = kiosk.upload([sign_action(card, DAY, key="a"),
                             sign_action("garbage", DAY, key="b"),
                             sign_action(card, DAY + timedelta(hours=1), key="c")])
    statuses = [a["status"] for a in response.get_json()["answers"]]
    assert statuses[0] == 200 and statuses[1] == 400 and statuses[2] == 200
    [shift] = _shifts(db)
    assert shift.credited_minutes == 60


def test_sign_out_without_a_shift_is_refused(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    answer = kiosk.sign(card, DAY, direction="out")
    assert (answer["status"], answer["error"]["code"]) == (409, "no_open_shift")
    assert _shifts(db) == []
    kiosk.sign(card, DAY)
    again = kiosk.sign(card, DAY + timedelta(minutes=5), direction="in")
    assert again["error"]["code"] == "already_signed_in"


def test_a_second_read_within_a_minute_changes_nothing(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    assert kiosk.sign(card, DAY)["result"]["action"] == "in"
    assert kiosk.sign(card, DAY + timedelta(seconds=40))["result"]["action"] == "noop"
    [shift] = _shifts(db)
    assert shift.is_open
    assert kiosk.sign(card, DAY + timedelta(hours=1))["result"]["action"] == "out"
    # Read again right after signing out: still signed out, no new shift.
    assert kiosk.sign(card, DAY + timedelta(hours=1, seconds=30))["result"]["action"] == "noop"
    assert len(_shifts(db)) == 1


def test_signing_in_elsewhere_closes_the_open_shift_first(db, network, enroll_kiosk,
                                                          create_volunteer):
    east = enroll_kiosk(network["library"])
    west = enroll_kiosk(network["west_station"])
    _, card = create_volunteer()
    east.sign(card, DAY)
    answer = west.sign(card, DAY + timedelta(hours=3))
    assert answer["result"]["action"] == "in"
    first, second = _shifts(db)
    assert answer["result"]["closed_elsewhere"] == first.id
    assert first.site_id == network["library"].id and not first.is_open
    assert "moved" in first.flags and first.review == "pending"
    assert second.site_id == network["west_station"].id and second.is_open


def test_clock_far_off_flags_the_shift(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    now = datetime.now(UTC)
    skewed = now + timedelta(hours=2)  # the kiosk's clock runs two hours fast
    answer = kiosk.sign(card, skewed - timedelta(hours=1), sent_at=iso(skewed))
    assert answer["status"] == 200 and "clock_skew" in answer["result"]["flags"]
    kiosk.sign(card, skewed, sent_at=iso(skewed))
    [shift] = _shifts(db)
    assert shift.review == "pending" and "clock_skew" in shift.flags
    from server.devices.models import Device

    assert abs(db.session.get(Device, kiosk.id).clock_offset_ms - 7_200_000) < 60_000


def test_offline_actions_hours_old_are_facts_not_skew(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    kiosk.sign(card, hours_ago(5), clock_offset_ms=800)
    kiosk.sign(card, hours_ago(3), clock_offset_ms=800)
    [shift] = _shifts(db)
    assert shift.review == "none" and shift.credited_minutes == 120
    assert abs((shift.started_at.replace(tzinfo=UTC) - hours_ago(5)).total_seconds()) < 60


def test_same_key_same_answer_other_body_422(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    action = sign_action(card, DAY, key="once")
    first = kiosk.upload([action]).get_json()["answers"][0]
    second = kiosk.upload([action]).get_json()["answers"][0]
    assert first == second and first["result"]["action"] == "in"
    changed = dict(action, client_time=iso(DAY + timedelta(hours=1)))
    reused = kiosk.upload([changed]).get_json()["answers"][0]
    assert (reused["status"], reused["error"]["code"]) == (422, "key_reused")
    assert len(_shifts(db)) == 1
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 1


def test_a_retry_that_ran_before_its_key_was_checked_is_undone(db, enroll_kiosk,
                                                               create_volunteer):
    """Sign batches run before their keys are looked up (most uploads are new). A retry arriving
    after later actions would be refused this time (out of order) and audited; instead the
    whole attempt rolls back and the stored answer comes back, with nothing written twice."""
    kiosk = enroll_kiosk()
    volunteer, card = create_volunteer()
    other, other_card = create_volunteer("李四")
    first = sign_action(card, DAY, key="in")
    answer = kiosk.upload([first]).get_json()["answers"][0]
    assert kiosk.sign(card, DAY + timedelta(hours=1), key="out")["result"]["action"] == "out"
    # A batch with a new action first: it runs, is undone with the retry, then runs once more.
    batch = [sign_action(other_card, DAY, key="new"), first]
    again = kiosk.upload(batch).get_json()["answers"]
    assert again[1] == answer and answer["result"]["action"] == "in"
    assert again[0]["status"] == 200 and again[0]["result"]["action"] == "in"
    shifts = _shifts(db)
    assert sorted(s.volunteer_id for s in shifts) == sorted([volunteer.id, other.id])
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "kiosk.action_refused")) == 0
    # The whole batch once more: every answer is the stored one.
    assert kiosk.upload(batch).get_json()["answers"] == again
    assert len(_shifts(db)) == 2


def test_a_card_read_found_with_its_kiosk_is_refused_like_any_upload(db, enroll_kiosk,
                                                                      create_volunteer):
    """One card read per upload finds the kiosk and the volunteer in one statement; a wrong
    secret is still 401 and a revoked kiosk 403, with nothing written."""
    from server.devices import operations as dops
    from server.devices.models import Device

    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    batch = {"actions": [sign_action(card, DAY, key="in")]}
    wrong = kiosk.client.post("/api/v1/kiosk/actions", json=batch,
                              headers={"Authorization": "Bearer not-this-kiosk"})
    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (401, "device_unknown")
    dops.revoke(db.session.get(Device, kiosk.id), "被盗")
    db.session.commit()
    revoked = kiosk.upload(batch["actions"])
    assert (revoked.status_code, revoked.get_json()["error"]["code"]) == (403, "device_revoked")
    assert _shifts(db) == []
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 0


def test_malformed_actions_get_clear_answers(db, enroll_kiosk):
    kiosk = enroll_kiosk()
    response = kiosk.upload([{"kind": "sign"}, {"key": "t", "kind": "sign", "client_time":
                                                "yesterday", "body": {}},
                             {"key": "n", "kind": "sign", "client_time": "2026-03-02T09:00:00",
                              "body": {}},
                             {"key": "u", "kind": "teleport", "client_time": iso(DAY),
                              "body": {}},
                             {"key": "b", "kind": "sign", "client_time": iso(DAY),
                              "body": []},
                             {"key": "l", "kind": ["sign"], "client_time": iso(DAY),
                              "body": {}}])
    codes = [a["error"]["code"] for a in response.get_json()["answers"]]
    assert codes == ["invalid_key", "invalid_client_time", "invalid_client_time",
                     "unknown_kind", "invalid_body", "unknown_kind"]
    not_a_list = kiosk.client.post("/api/v1/kiosk/actions", json={"actions": {}},
                                   headers=kiosk.headers)
    assert (not_a_list.status_code, not_a_list.get_json()["error"]["code"]) == \
        (400, "invalid_actions")


def test_a_handler_that_writes_then_refuses_without_a_savepoint_fails_whole(
        db, enroll_kiosk, create_volunteer):
    """`sign` runs without a savepoint because it refuses only before writing; a handler
    that breaks that promise fails the request (500, all rolled back) rather than keep half
    an action. The kiosk keeps the action and sends it again."""
    from server.core.audit import record
    from server.core.errors import Conflict
    from server.devices import actions

    def sloppy(device, body, client_time, skewed):
        record("test.half_done", device)
        raise Conflict("refused after a write", "conflict")

    actions.register("test_sloppy", sloppy, refuses_before_writing=True)
    try:
        kiosk = enroll_kiosk()
        _, card = create_volunteer()
        with pytest.raises(actions.WroteBeforeRefusing, match="conflict"):
            kiosk.upload([sign_action(card, DAY, key="in"),
                          {"key": "sloppy", "kind": "test_sloppy", "client_time": iso(DAY),
                           "body": {}}])
    finally:
        actions.HANDLERS.pop("test_sloppy")
    assert _shifts(db) == []  # the sign-in before it in the batch went too
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.half_done")) \
        is None
    # With a savepoint (the default), the same handler's refusal is answered and kept.
    actions.register("test_sloppy", sloppy)
    try:
        answer = kiosk.upload([{"key": "sloppy", "kind": "test_sloppy",
                                "client_time": iso(DAY), "body": {}}]).get_json()["answers"][0]
    finally:
        actions.HANDLERS.pop("test_sloppy")
    assert (answer["status"], answer["error"]["code"]) == (409, "conflict")
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.half_done")) \
        is None
