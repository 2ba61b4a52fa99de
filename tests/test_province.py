"""`flask demo province` at a tiny scale: the counts the scale asks for, the same rows for the
same seed on both databases, a ledger that adds up, and an application that goes on working."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from server.demo.province import Plan, digest
from server.ledger.models import Account, Redemption, Transfer
from server.orders.models import Order, Rating
from server.shifts.models import Shift
from server.sites.models import Site
from server.volunteers.models import TeamMember, Volunteer

ARGS = ["demo", "province", "--scale", "0.001", "--seed", "7", "--until", "2026-03-31"]
# The fingerprint of what ARGS generate: pinned, so both databases and every run must agree.
# A deliberate change to the generator changes it here too.
DIGEST = "1056af7bfc74e2d78f5976d0002a03fdba9371c5102316a222e2b00cc6c2f250"


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_province_has_the_counts_of_its_scale(runner, db):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    db.session.rollback()
    plan = Plan.at(0.001)
    assert (plan.sites, plan.volunteers, plan.shifts, plan.orders) == (10, 100, 1000, 200)
    assert dict(db.session.execute(select(Site.kind, func.count()).group_by(Site.kind))
                .all()) == {"center": 1, "institute": plan.institutes,
                            "station": plan.stations, "point": plan.points}
    assert _count(db, Volunteer) == _count(db, TeamMember) == 100
    assert _count(db, Shift) == 1000 and _count(db, Order) == 200
    assert _count(db, Rating) == _count(db, Order, Order.status == "rated") > 0
    # A year: the first shift on the first day, none after the last.
    first, last = db.session.execute(select(func.min(Shift.started_at),
                                            func.max(Shift.started_at))).one()
    assert (first.date(), last.date()) in {(date(2025, 4, 1), date(2026, 3, 31)),
                                           (date(2025, 3, 31), date(2026, 3, 31))}
    assert "province ready" in result.output and "province-institute" in result.output


def test_the_same_seed_gives_the_same_rows_on_both_databases(runner, db):
    assert runner.invoke(args=ARGS).exit_code == 0
    db.session.rollback()
    assert digest() == DIGEST


def test_the_ledger_adds_up(runner, db):
    assert runner.invoke(args=ARGS).exit_code == 0
    db.session.rollback()
    creditable = _count(db, Shift, Shift.ended_at.is_not(None),
                        Shift.review.in_(("none", "approved")))
    assert _count(db, Transfer, Transfer.source_type == "shift") == creditable
    minutes = db.session.scalar(select(func.sum(Shift.credited_minutes)).where(
        Shift.ended_at.is_not(None), Shift.review.in_(("none", "approved"))))
    assert db.session.scalar(select(func.sum(Transfer.minutes))) == minutes
    assert _count(db, Transfer, Transfer.source_type == "redemption") == \
        _count(db, Redemption) > 0
    credit = (select(Transfer.credit_account_id.label("account"), Transfer.amount)
              .union_all(select(Transfer.debit_account_id, -Transfer.amount)).subquery())
    lowest = db.session.scalar(select(func.min(select(func.sum(credit.c.amount))
                                               .where(credit.c.account == Account.id)
                                               .scalar_subquery()))
                               .where(Account.kind == "volunteer"))
    assert lowest is not None and lowest >= 0  # nobody spent points they had not earned
    assert _count(db, Shift, Shift.ended_at.is_(None)) == 1  # on duty: one, once


def test_the_application_goes_on_after_it(runner, db):
    assert runner.invoke(args=ARGS).exit_code == 0
    db.session.rollback()
    from server.sites.operations import create_site

    center = db.session.scalar(select(Site).where(Site.kind == "center"))
    site = create_site(kind="point", name="新服务点", parent=center)  # ids continue
    db.session.commit()
    assert site.id == _count(db, Site)
    again = runner.invoke(args=ARGS)
    assert again.exit_code == 1 and "[database_not_empty]" in again.output
