"""The ledger's invariants as facts of the database: append-only, two-legged, one post a source."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.ledger import operations as ops
from server.ledger.models import Transfer


@pytest.fixture
def posted(db, make_volunteer, make_shift):
    volunteer = make_volunteer()
    transfer = ops.credit_shift(make_shift(volunteer, 120))
    db.session.commit()
    return transfer


def test_update_of_a_transfer_is_refused_by_the_database(db, posted):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE ledger_transfer SET amount = 1000 WHERE id = :i"),
                           {"i": posted.id})
    db.session.rollback()
    assert db.session.get(Transfer, posted.id).amount == 20


def test_delete_of_a_transfer_is_refused_by_the_database(db, posted):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM ledger_transfer"))
    db.session.rollback()
    assert db.session.get(Transfer, posted.id) is not None


def test_orm_update_is_refused_too(db, posted):
    posted.memo = "padded"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("change, constraint", [
    ({"amount": 0}, "amount_positive"),
    ({"amount": -5}, "amount_positive"),
    ({"same_account": True}, "two_accounts"),
    ({"source_type": "gift"}, "source_type"),
])
def test_malformed_transfers_are_refused_by_check_constraints(db, posted, change, constraint):
    change = dict(change)  # the parameter is shared by both backends' runs
    debit = posted.debit_account_id
    credit = debit if change.pop("same_account", False) else posted.credit_account_id
    row = {"debit_account_id": debit, "credit_account_id": credit, "amount": 5,
           "source_type": "adjustment", "source_id": "x1", "minutes": 0, "memo": "",
           "actor": "t"}
    row.update(change)
    with pytest.raises(IntegrityError, match=constraint):
        db.session.execute(Transfer.__table__.insert().values(**row))
    db.session.rollback()


def test_a_source_posts_once_in_the_database(db, posted):
    with pytest.raises(IntegrityError):
        db.session.execute(Transfer.__table__.insert().values(
            debit_account_id=posted.debit_account_id, credit_account_id=posted.credit_account_id,
            amount=1, source_type="shift", source_id=posted.source_id, minutes=0, memo="",
            actor="t"))
    db.session.rollback()


def test_a_transfer_is_reversed_at_most_once_in_the_database(db, posted):
    reversal = ops.reverse(posted, "wrong site", actor="t")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(Transfer.__table__.insert().values(
            debit_account_id=reversal.debit_account_id,
            credit_account_id=reversal.credit_account_id, amount=posted.amount,
            source_type="adjustment", source_id="sneaky", reverses_transfer_id=posted.id,
            minutes=0, memo="", actor="t"))
    db.session.rollback()
