"""Kiosk scans and the keyring each server process keeps: a key retired or made by another
process counts at the very next scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from server.codes import keys
from server.codes import operations as ops
from server.core.audit import AuditEvent

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _elsewhere(db, statement: str, **params) -> None:
    """A change made by another worker process: its own connection, committed."""
    with db.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_a_key_retired_by_another_process_refuses_at_the_next_scan(db, enroll_kiosk,
                                                                    create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    assert kiosk.sign(card, DAY)["result"]["action"] == "in"  # this process now caches the key
    kid = keys.current_record().kid
    db.session.rollback()
    _elsewhere(db, "UPDATE signing_key SET is_current = :no, retired_at = :now WHERE kid = :kid",
               no=False, now=datetime.now(UTC), kid=kid)
    answer = kiosk.sign(card, DAY + timedelta(hours=1))
    assert (answer["status"], answer["error"]["code"]) == (410, "code_retired_key")
    db.session.rollback()
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "kiosk.action_refused")).all()
    assert [event.details["code"] for event in refused] == ["code_retired_key"]


def test_a_key_made_by_another_process_is_picked_up(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, old_card = create_volunteer("李四")
    assert kiosk.sign(old_card, DAY)["status"] == 200  # cached: the first key only
    new_key = keys.rotate()  # not through the cache, as in another worker
    db.session.commit()
    _, new_card = create_volunteer("张三")
    assert new_card.split("/")[-1] and ops.resolve(new_card).key_id == new_key.kid
    db.session.rollback()
    answer = kiosk.sign(new_card, DAY)
    assert answer["status"] == 200 and answer["result"]["action"] == "in"
