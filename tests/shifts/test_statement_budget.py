"""The sign path's statement budget: a change that adds a statement to a kiosk card read fails
here and has to say why in the budget below."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.fixtures.devices import sign_action

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in 昭化, a past Monday

# One upload of one card read that signs in, statement by statement, with the reason for each.
SIGN_IN = [
    ("SELECT", "device"),        # the kiosk with its site and the card's live volunteer, locked
    ("SELECT", "shift"),         # the volunteer's open and last ended shift, locked
    ("INSERT", "shift"),         # the new shift, RETURNING it
    ("INSERT", "kiosk_action"),  # the action's key claimed with its answer (idempotency)
]
# One that signs out and earns points (the volunteer already has a ledger account).
SIGN_OUT = [
    ("SELECT", "device"),           # the kiosk, its site and the volunteer, locked
    ("SELECT", "shift"),            # the open and last ended shift, locked
    ("SELECT", "shift"),            # minutes credited that day, with the site chain's policies
    ("UPDATE", "shift"),            # the shift closed with its credited minutes
    ("INSERT", "ledger_transfer"),  # the credit: accounts and rule read by the INSERT itself
    ("INSERT", "audit_event"),      # every posting is audited
    ("INSERT", "kiosk_action"),     # the action's key claimed with its answer
]
# At commit the audit entry joins the hash chain (core.audit): the chain's head moved and the
# entry given its place, one statement on PostgreSQL, two on SQLite (no DML in a WITH there).
AUDIT_SEAL = {"postgresql": [("WITH", "audit_chain")],
              "sqlite": [("UPDATE", "audit_chain"), ("UPDATE", "audit_event")]}


def _kinds(statements: list[str]) -> list[tuple[str, str]]:
    """(verb, first table) of each statement; SQLite's BEGIN IMMEDIATE is the transaction."""
    kinds = []
    for sql in statements:
        verb = sql.split(None, 1)[0].upper()
        if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
            continue
        found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", sql, re.IGNORECASE)
        kinds.append((verb, found.group(1) if found else "?"))
    return kinds


def test_a_card_read_runs_within_its_statement_budget(db, enroll_kiosk, create_volunteer,
                                                      count_statements, backend):
    kiosk = enroll_kiosk()
    volunteer, card = create_volunteer()
    earlier, _ = create_volunteer("李明")
    other_card = create_volunteer("张芳")[1]
    # Warm-up: the kiosk's clock offset is stored, the volunteer's ledger account opened by a
    # first credit (a first credit opens the account: a statement more, once in a lifetime).
    assert kiosk.sign(card, DAY)["result"]["action"] == "in"
    assert kiosk.sign(card, DAY + timedelta(hours=1))["result"]["action"] == "out"
    assert kiosk.sign(other_card, DAY)["result"]["action"] == "in"

    with count_statements() as seen:
        answer = kiosk.sign(card, DAY + timedelta(hours=2))
    assert answer["result"]["action"] == "in"
    assert _kinds(seen) == SIGN_IN, seen
    if backend == "sqlite":  # the write transaction, begun after the writer gate
        assert seen[0] == "BEGIN IMMEDIATE"

    with count_statements() as seen:
        answer = kiosk.sign(card, DAY + timedelta(hours=3))
    assert answer["result"]["action"] == "out"
    assert _kinds(seen) == SIGN_OUT + AUDIT_SEAL[backend], seen


def test_a_batch_stores_its_actions_with_one_statement(db, enroll_kiosk, create_volunteer,
                                                       count_statements):
    """An outbox catching up sends many reads at once: their action rows are one INSERT."""
    kiosk = enroll_kiosk()
    cards = [create_volunteer(f"志愿者{i}")[1] for i in range(5)]
    assert kiosk.sign(cards[0], DAY)["status"] == 200
    with count_statements() as seen:
        response = kiosk.upload([sign_action(card, DAY + timedelta(minutes=5)) for card in cards])
    assert [a["status"] for a in response.get_json()["answers"]] == [200] * 5
    kinds = _kinds(seen)
    assert kinds.count(("INSERT", "kiosk_action")) == 1
    assert kinds[-1] == ("INSERT", "kiosk_action")
