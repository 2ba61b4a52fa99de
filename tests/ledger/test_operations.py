"""The time-bank rules through their operations: credits, reversals, adjustments, redemption."""

from __future__ import annotations

import pytest

from server.core.errors import DomainError
from server.ledger import catalog
from server.ledger import operations as ops
from server.ledger.models import ISSUANCE, REDEMPTION, Transfer


def _sums_hold(db):
    """Every balance equals its entries' sum and the books sum to zero."""
    assert ops.verify() == []
    for transfer in db.session.scalars(db.select(Transfer)):
        assert transfer.amount > 0 and transfer.debit_account_id != transfer.credit_account_id


def test_points_for_minutes_follow_the_rule_and_round_down(db):
    assert ops.points_per_hour() == 10
    assert ops.points_for_minutes(60) == 10
    assert ops.points_for_minutes(95) == 15  # 15.8 rounds down: never pay for unserved time
    assert ops.points_for_minutes(5) == 0
    ops.set_points_per_hour(12, actor="test")
    db.session.commit()
    assert ops.points_for_minutes(95) == 19


@pytest.mark.parametrize("bad", [0, -1, 1001, "ten", 2.5, True, None])
def test_a_bad_rule_is_refused_and_the_old_one_stays(db, bad):
    with pytest.raises(DomainError) as error:
        ops.set_points_per_hour(bad, actor="test")
    assert error.value.code == "invalid_rule"
    db.session.rollback()
    assert ops.points_per_hour() == 10


def test_credit_shift_credits_once(db, make_volunteer, make_shift):
    volunteer = make_volunteer()
    shift = make_shift(volunteer, 150)
    first = ops.credit_shift(shift)
    second = ops.credit_shift(shift)
    db.session.commit()
    assert first.id == second.id and first.amount == 25 and first.minutes == 150
    assert first.source == f"shift:{shift.id}"
    assert first.debit_account.code == ISSUANCE
    assert ops.balance(volunteer) == 25
    assert db.session.scalar(db.select(db.func.count()).select_from(Transfer)) == 1
    _sums_hold(db)


def test_every_posting_is_audited_the_rule_s_credits_too(db, make_volunteer, make_shift):
    """Points are money-like: every posting gets an audit entry, a shift's credit by the rule
    (actor "system") as well as an admin's adjustment, and a retried credit adds none."""
    from server.core.audit import AuditEvent

    volunteer = make_volunteer()
    shift = make_shift(volunteer, 60)
    credit = ops.credit_shift(shift)
    assert ops.credit_shift(shift).id == credit.id  # a retry posts nothing, audits nothing
    adjustment = ops.adjust(volunteer, 5, "paper records", actor="admin")
    db.session.commit()
    events = list(db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "ledger.post").order_by(AuditEvent.id)))
    assert [e.target_id for e in events] == [str(credit.id), str(adjustment.id)]
    assert events[0].actor == "system" and events[0].details["source"] == f"shift:{shift.id}"
    assert events[0].details["amount"] == credit.amount == 10
    assert credit.actor == "system" and credit.source.startswith("shift:")


@pytest.mark.parametrize("review", ["pending", "rejected"])
def test_shifts_awaiting_or_refused_approval_earn_nothing(db, make_volunteer, make_shift,
                                                          review):
    volunteer = make_volunteer()
    assert ops.credit_shift(make_shift(volunteer, 120, review=review)) is None
    assert ops.balance(volunteer) == 0


def test_an_approved_shift_earns_and_an_open_one_does_not(db, make_volunteer, make_shift):
    volunteer = make_volunteer()
    shift = make_shift(volunteer, 60, review="approved")
    assert ops.credit_shift(shift).amount == 10
    shift.ended_at = None
    assert ops.credit_shift(shift) is None  # not creditable: nothing, not even the old one


def test_a_shift_too_short_for_a_point_posts_nothing(db, make_volunteer, make_shift):
    assert ops.credit_shift(make_shift(make_volunteer(), 5)) is None


def test_credit_service_once_per_order(db, make_volunteer):
    volunteer = make_volunteer()

    class Order:
        id, number = 7, "DD-7"

    transfer = ops.credit_service(Order, volunteer, 90)
    assert transfer.source == "order:7" and transfer.amount == 15
    assert ops.credit_service(Order, volunteer, 90).id == transfer.id
    with pytest.raises(DomainError) as error:
        ops.credit_service(Order, volunteer, 0)
    assert error.value.code == "invalid_minutes"


def test_reversal_undoes_once(db, make_volunteer, make_shift):
    volunteer = make_volunteer()
    credit = ops.credit_shift(make_shift(volunteer, 120))
    reversal = ops.reverse(credit, "signed in at the wrong site", actor="admin")
    db.session.commit()
    assert reversal.source == f"reversal:{credit.id}" and reversal.reverses_transfer_id == credit.id
    assert (reversal.debit_account_id, reversal.credit_account_id) == (
        credit.credit_account_id, credit.debit_account_id)
    assert ops.balance(volunteer) == 0
    with pytest.raises(DomainError) as error:
        ops.reverse(credit, "again", actor="admin")
    assert error.value.code == "already_reversed"
    with pytest.raises(DomainError) as error:
        ops.reverse(reversal, "undo the undo", actor="admin")
    assert error.value.code == "reversal_of_reversal"
    _sums_hold(db)


def test_reversal_needs_a_reason(db, make_volunteer, make_shift):
    credit = ops.credit_shift(make_shift(make_volunteer(), 120))
    with pytest.raises(DomainError) as error:
        ops.reverse(credit, "   ", actor="admin")
    assert error.value.code == "reason_required"


def test_reversing_spent_points_is_refused_rather_than_going_negative(db, make_volunteer,
                                                                      make_shift, make_item):
    volunteer = make_volunteer()
    credit = ops.credit_shift(make_shift(volunteer, 60))
    catalog.redeem(volunteer, make_item(cost=8), 1, actor="t")
    with pytest.raises(DomainError) as error:
        ops.reverse(credit, "padded", actor="admin")
    assert error.value.code == "insufficient_points"
    assert error.value.details == {"balance": 2, "needed": 10}


def test_adjustments_both_ways_and_a_key_posts_once(db, make_volunteer):
    volunteer = make_volunteer()
    plus = ops.adjust(volunteer, 30, "paper records from 2023", actor="admin", key="k1")
    assert ops.adjust(volunteer, 30, "paper records from 2023", actor="admin", key="k1").id \
        == plus.id
    minus = ops.adjust(volunteer, -12, "double entry", actor="admin")
    db.session.commit()
    assert plus.credit_account.volunteer_id == volunteer.id
    assert minus.debit_account.volunteer_id == volunteer.id
    assert ops.balance(volunteer) == 18
    with pytest.raises(DomainError) as error:
        ops.adjust(volunteer, -19, "too much", actor="admin")
    assert error.value.code == "insufficient_points"
    for bad in (0, 1.5, "5", True):
        with pytest.raises(DomainError):
            ops.adjust(volunteer, bad, "x", actor="admin")
    _sums_hold(db)


def test_redemption_spends_points_and_stock(db, make_volunteer, make_shift, make_item):
    volunteer = make_volunteer()
    ops.credit_shift(make_shift(volunteer, 180))  # 30 points
    item = make_item(cost=7, stock=5)
    redemption = catalog.redeem(volunteer, item, 2, actor="admin", client_key="r-1")
    db.session.commit()
    assert (redemption.points, item.stock, ops.balance(volunteer)) == (14, 3, 16)
    assert redemption.transfer.source == f"redemption:{redemption.id}"
    assert redemption.transfer.credit_account.code == REDEMPTION
    assert catalog.redeem(volunteer, item, 2, actor="admin", client_key="r-1").id == redemption.id
    with pytest.raises(DomainError) as error:
        catalog.redeem(volunteer, item, 1, actor="admin", client_key="r-1")
    assert error.value.code == "key_reused"
    assert ops.balance(volunteer) == 16
    _sums_hold(db)


@pytest.mark.parametrize("setup, code", [
    ({"cost": 50}, "insufficient_points"),
    ({"cost": 1, "stock": 1, "quantity": 2}, "out_of_stock"),
    ({"cost": 1, "stock": 0}, "out_of_stock"),
    ({"cost": 1, "is_active": False}, "item_inactive"),
    ({"cost": 1, "quantity": 0}, "invalid_number"),
    ({"cost": 1, "quantity": 21}, "invalid_number"),
    ({"cost": 1, "quantity": "two"}, "invalid_number"),
])
def test_redemption_refusals_change_nothing(db, make_volunteer, make_shift, make_item, setup,
                                            code):
    setup = dict(setup)
    quantity = setup.pop("quantity", 1)
    volunteer = make_volunteer()
    ops.credit_shift(make_shift(volunteer, 60))
    db.session.commit()
    item = make_item(**setup)
    with pytest.raises(DomainError) as error:
        catalog.redeem(volunteer, item, quantity, actor="admin")
    assert error.value.code == code
    db.session.rollback()
    assert ops.balance(volunteer) == 10
    assert db.session.get(type(item), item.id).stock == setup.get("stock")


def test_reversing_a_redemption_refunds_and_restocks(db, make_volunteer, make_shift, make_item):
    volunteer = make_volunteer()
    ops.credit_shift(make_shift(volunteer, 60))
    item = make_item(cost=4, stock=2)
    redemption = catalog.redeem(volunteer, item, 2, actor="admin")
    ops.reverse(redemption.transfer, "goods were out of date", actor="admin")
    db.session.commit()
    assert (ops.balance(volunteer), item.stock) == (10, 2)


def test_accounts_are_made_once(db, make_volunteer):
    volunteer = make_volunteer()
    assert ops.account_for(volunteer).id == ops.account_for(volunteer).id
    assert ops.system_account(ISSUANCE).id == ops.system_account(ISSUANCE).id
    assert ops.balance(make_volunteer()) == 0
