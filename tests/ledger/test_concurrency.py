"""Races with real threads and connections: row locks on PostgreSQL, BEGIN IMMEDIATE on SQLite."""

from __future__ import annotations

import threading

from server.core.errors import DomainError
from server.ledger import catalog
from server.ledger import operations as ops
from server.ledger.models import Redemption, Transfer


def _in_threads(app, count, work):
    """Run work(i) in `count` threads at once, each with its own app context and connection."""
    from server.core.db import writing
    from server.extensions import db

    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i):
        with app.app_context(), writing():
            barrier.wait()
            try:
                outcomes[i] = work(i)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes[i] = error.code
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                db.session.rollback()
                outcomes[i] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_50_concurrent_redemptions_never_overdraw(app, db, make_volunteer,
                                                  make_item):
    volunteer = make_volunteer()
    ops.adjust(volunteer, 10, "opening balance", actor="test")
    item = make_item(cost=3, stock=None)
    db.session.commit()
    volunteer_id, item_id = volunteer.id, item.id

    def redeem(_):
        from server.extensions import db as session_db
        from server.ledger.models import Item
        from server.volunteers.models import Volunteer

        person = session_db.session.get(Volunteer, volunteer_id)
        return catalog.redeem(person, session_db.session.get(Item, item_id), 1,
                              actor="kiosk").id

    outcomes = _in_threads(app, 50, redeem)
    succeeded = [o for o in outcomes if isinstance(o, int)]
    assert sorted(set(outcomes) - set(succeeded)) == ["insufficient_points"], outcomes
    assert len(succeeded) == 3  # 10 points buy three items at 3, and not a fourth
    db.session.rollback()  # the test session still holds its older snapshot
    assert ops.balance(volunteer) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Redemption)) == 3
    assert ops.verify() == []


def test_concurrent_redemptions_never_oversell(app, db, make_volunteer,
                                               make_item):
    people = [make_volunteer() for _ in range(20)]
    for person in people:
        ops.adjust(person, 50, "opening balance", actor="test")
    item = make_item(cost=5, stock=7)
    db.session.commit()
    ids, item_id = [p.id for p in people], item.id

    def redeem(i):
        from server.extensions import db as session_db
        from server.ledger.models import Item
        from server.volunteers.models import Volunteer

        return catalog.redeem(session_db.session.get(Volunteer, ids[i]),
                              session_db.session.get(Item, item_id), 1, actor="kiosk").id

    outcomes = _in_threads(app, 20, redeem)
    assert sum(isinstance(o, int) for o in outcomes) == 7
    assert {o for o in outcomes if not isinstance(o, int)} == {"out_of_stock"}, outcomes
    db.session.rollback()  # the test session still holds its older snapshot
    assert db.session.get(type(item), item_id).stock == 0


def test_concurrent_credit_shift_credits_once(app, db, make_volunteer,
                                              make_shift):
    volunteer = make_volunteer()
    shift_id = make_shift(volunteer, 120).id

    def credit(_):
        from server.extensions import db as session_db
        from server.shifts.models import Shift

        return ops.credit_shift(session_db.session.get(Shift, shift_id)).id

    outcomes = _in_threads(app, 20, credit)
    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int), outcomes
    db.session.rollback()  # the test session still holds its older snapshot
    assert db.session.scalar(db.select(db.func.count()).select_from(Transfer)) == 1
    assert ops.balance(volunteer) == 20


def test_concurrent_reversals_reverse_once(app, db, make_volunteer, make_shift):
    volunteer = make_volunteer()
    credit_id = ops.credit_shift(make_shift(volunteer, 120)).id
    db.session.commit()

    def undo(_):
        from server.extensions import db as session_db

        return ops.reverse(session_db.session.get(Transfer, credit_id), "wrong", "admin").id

    outcomes = _in_threads(app, 10, undo)
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert {o for o in outcomes if not isinstance(o, int)} <= {"already_reversed",
                                                               "insufficient_points"}, outcomes
    db.session.rollback()  # the test session still holds its older snapshot
    assert ops.balance(volunteer) == 0
