"""Random sequences of credits, reversals, adjustments and redemptions keep the books sound."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from server.core.errors import DomainError
from server.core.timeutil import utcnow
from server.ledger import catalog
from server.ledger import operations as ops
from server.ledger.models import Account, Item, Transfer
from server.shifts.models import Shift
from server.volunteers.models import Volunteer


def test_the_books_stay_balanced_under_random_operations(db, network):
    site = network["library"]
    serial = iter(range(1, 1_000_000))

    class Books(RuleBasedStateMachine):
        transfers = Bundle("transfers")

        @initialize()
        def people(self):
            n = next(serial)
            self.people = [Volunteer(number=f"SM{n:05d}{i}", name=f"志愿者{i}", phone="13800000000",
                                     home_site_id=site.id) for i in range(3)]
            self.item = Item(site_id=site.id, name=f"毛巾{n}", cost_points=4, stock=6)
            db.session.add_all([*self.people, self.item])
            db.session.commit()
            self.expected = {p.id: 0 for p in self.people}
            self.stock = 6

        def _commit(self, work):
            try:
                result = work()
            except DomainError as error:
                db.session.rollback()
                return error.code
            db.session.commit()
            return result

        @rule(target=transfers, who=st.integers(0, 2), minutes=st.integers(0, 600),
              review=st.sampled_from(["none", "none", "approved", "pending", "rejected"]))
        def work_a_shift(self, who, minutes, review):
            person = self.people[who]
            start = utcnow() - timedelta(hours=12)
            shift = Shift(volunteer_id=person.id, site_id=site.id, started_at=start,
                          ended_at=start + timedelta(minutes=minutes), start_method="kiosk",
                          credited_minutes=minutes, review=review, is_verified=True)
            db.session.add(shift)
            db.session.flush()
            transfer = self._commit(lambda: ops.credit_shift(shift))
            again = self._commit(lambda: ops.credit_shift(shift))  # a retry posts nothing new
            assert getattr(again, "id", None) == getattr(transfer, "id", None)
            if review in ("none", "approved") and minutes * 10 // 60 > 0:
                assert transfer.amount == minutes * 10 // 60
                self.expected[person.id] += transfer.amount
            else:
                assert transfer is None
            return transfer.id if transfer is not None else None

        @rule(target=transfers, who=st.integers(0, 2), points=st.integers(-40, 40))
        def adjust(self, who, points):
            person = self.people[who]
            if points == 0:
                return None
            before = self.expected[person.id]
            outcome = self._commit(lambda: ops.adjust(person, points, "correction", "test"))
            if before + points < 0:
                assert outcome == "insufficient_points"
                return None
            self.expected[person.id] += points
            return outcome.id

        @rule(target=transfers, who=st.integers(0, 2), quantity=st.integers(1, 3))
        def redeem(self, who, quantity):
            person = self.people[who]
            cost = 4 * quantity
            outcome = self._commit(lambda: catalog.redeem(person, self.item, quantity,
                                                          actor="test"))
            if quantity > self.stock:
                assert outcome == "out_of_stock"
            elif cost > self.expected[person.id]:
                assert outcome == "insufficient_points"
            else:
                self.stock -= quantity
                self.expected[person.id] -= cost
                return outcome.transfer_id
            return None

        @rule(transfer_id=transfers)
        def reverse(self, transfer_id):
            if transfer_id is None:
                return
            transfer = db.session.get(Transfer, transfer_id)
            already = ops.is_reversed(transfer)
            volunteer_gets = transfer.debit_account.volunteer_id
            volunteer_loses = transfer.credit_account.volunteer_id
            outcome = self._commit(lambda: ops.reverse(transfer, "mistake", "test"))
            if already:
                assert outcome == "already_reversed"
            elif volunteer_loses and self.expected[volunteer_loses] < transfer.amount:
                assert outcome == "insufficient_points"
            else:
                assert isinstance(outcome, Transfer)
                if volunteer_loses:
                    self.expected[volunteer_loses] -= transfer.amount
                if volunteer_gets:
                    self.expected[volunteer_gets] += transfer.amount
                    if transfer.source_type == "redemption":
                        self.stock += transfer.amount // 4

        @invariant()
        def balances_are_sums_of_entries(self):
            if not hasattr(self, "expected"):
                return
            legs: dict[int, int] = {}
            for t in db.session.scalars(db.select(Transfer)):
                assert t.amount > 0 and t.debit_account_id != t.credit_account_id
                legs[t.debit_account_id] = legs.get(t.debit_account_id, 0) - t.amount
                legs[t.credit_account_id] = legs.get(t.credit_account_id, 0) + t.amount
            assert sum(legs.values()) == 0
            assert ops.balances() == {a: n for a, n in legs.items()}
            for person in self.people:
                account = db.session.scalar(db.select(Account).where(
                    Account.volunteer_id == person.id))
                actual = ops.balance(person)
                assert actual == self.expected[person.id] >= 0
                assert actual == (legs.get(account.id, 0) if account else 0)
            assert db.session.get(Item, self.item.id).stock == self.stock
            assert ops.verify() == []

    run_state_machine_as_test(Books, settings=settings(
        max_examples=15, stateful_step_count=15, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
