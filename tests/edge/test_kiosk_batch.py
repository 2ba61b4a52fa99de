"""A kiosk batch with actions refused for their content: each is answered as refused, the
batch's other actions are applied, nothing is a 5xx, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.fixtures.devices import iso, sign_action

FAR = "9999-12-31T23:59:59-14:00"
_keys = itertools.count(1)


def _action(kind: str, body, *, key: str | None = None, client_time: str | None = None):
    return {"key": key or f"bad{next(_keys)}", "kind": kind,
            "client_time": client_time or iso(datetime.now(UTC)), "body": body}


def _deep(levels: int):
    value: object = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


# (action, expected code) — each refused for what it holds.
BAD = [
    (lambda m: _action("order", {"item_id": m["care"].id, "phone": "13800000001",
                                 "note": "请\x00带伞"}), "invalid_text"),
    (lambda m: _action("order", {"item_id": m["care"].id, "phone": "13800000001",
                                 "place": "三\ud800楼"}), "invalid_text"),
    (lambda m: _action("order", {"item_id": 2**31, "phone": "13800000001"}), "invalid_number"),
    (lambda m: _action("order", {"item_id": 2**63, "phone": "13800000001"}), "invalid_number"),
    (lambda m: _action("order", {"item_id": m["care"].id, "phone": "13800000001",
                                 "preferred_at": FAR}), "time_out_of_range"),
    (lambda m: _action("order", {"item_id": m["care"].id, "phone": 13800000001}),
     "invalid_type"),
    (lambda m: _action("complete", {"code": "S1\x00"}), "invalid_text"),
    (lambda m: _action("rate", {"code": "x", "stars": 2**40}), "invalid_number"),
    (lambda m: _action("redeem", {"code": "x", "item_id": 2**31, "quantity": 1}),
     "invalid_number"),
    (lambda m: _action("sign", {"code": "\x00"}), "invalid_text"),
    (lambda m: _action("sign", {"code": 5}), "invalid_type"),
    (lambda m: _action("sign", _deep(40)), "too_deep"),
    (lambda m: _action("order", {"x": 1}, client_time=FAR), "invalid_client_time"),
    (lambda m: _action("sig\x00n", {"code": "x"}), "invalid_text"),
    (lambda m: _action("order", {"n\x00te": "x"}), "invalid_text"),
]


@pytest.mark.parametrize(("bad", "code"), BAD)
def test_one_refused_action_does_not_refuse_the_batch(db, enroll_kiosk, create_volunteer,
                                                      menu, bad, code):
    from server.core.audit import AuditEvent
    from server.shifts.models import Shift

    kiosk = enroll_kiosk()
    (_, first), (_, second) = create_volunteer("王一"), create_volunteer("李二")
    batch = [sign_action(first), bad(menu), sign_action(second)]
    response = kiosk.upload(batch)
    assert response.status_code == 200, response.get_data(as_text=True)
    answers = response.get_json()["answers"]
    assert [a["status"] for a in answers] == [200, 400, 200], answers
    assert answers[1]["error"]["code"] == code, answers[1]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 2
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "kiosk.action_refused")).all()
    # Kept with the kiosk's action row either way; audited when a check of its content said no.
    assert [e.details["code"] for e in refused] == ([] if code == "invalid_client_time"
                                                    else [code])
    # Sent again (the kiosk did not hear the answer): the same answers, nothing applied twice.
    again = kiosk.upload(batch).get_json()["answers"]
    assert [a["status"] for a in again] == [200, 400, 200]
    assert again[1]["error"]["code"] == code
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 2


def test_a_key_with_a_control_character_is_refused_and_not_stored(db, enroll_kiosk,
                                                                   create_volunteer):
    kiosk = enroll_kiosk()
    _, url = create_volunteer()
    response = kiosk.upload([sign_action(url, key="k\x00ey"), sign_action(url, key="fine")])
    assert response.status_code == 200, response.get_data(as_text=True)
    answers = response.get_json()["answers"]
    assert answers[0]["status"] == 400 and answers[0]["error"]["code"] == "invalid_key"
    assert answers[1]["status"] == 200


def test_a_batch_of_only_refused_actions_is_answered(enroll_kiosk, menu):
    kiosk = enroll_kiosk()
    batch = [bad(menu) for bad, _ in BAD]
    response = kiosk.upload(batch)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [(a["status"], a["error"]["code"]) for a in response.get_json()["answers"]] == \
        [(400, code) for _, code in BAD]
