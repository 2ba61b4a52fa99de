"""The state machine, the audit trail, escalation, limits and the database's own guarantees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.core.audit import AuditEvent
from server.core.errors import DomainError
from server.core.timeutil import utcnow
from server.orders import dispatch as rules
from server.orders import operations as ops
from server.orders.models import Order, Rating
from server.orders.states import TRANSITIONS


def test_one_order_through_every_state_leaves_a_full_audit_trail(db, place, teams, network):
    order = place()  # placed -> dispatched by rule
    member, leader = teams["member"], teams["leader"]
    ops.reject(order, member, "人在外地")  # -> placed
    rules.dispatch(order, team=teams["branch"], actor="dispatcher")  # -> dispatched
    ops.accept(order, leader, assignee=member)  # the leader accepts for the member
    assert order.volunteer_id == member.id
    ops.start(order, member)
    ops.complete(order, via="code_phone", volunteer=member)
    ops.rate(order, stars=4, comment="好")
    ops.reopen(order, "还要再来一次")  # -> reopened -> dispatched by rule
    ops.cancel(order, "已解决")
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    walked = [c.to_status for c in order.history]
    assert walked == ["placed", "dispatched", "placed", "dispatched", "accepted", "in_service",
                      "completed", "rated", "reopened", "dispatched", "cancelled"]
    assert set(walked) == set(TRANSITIONS)  # every state was visited
    assert [c.from_status for c in order.history][1:] == walked[:-1]  # one unbroken chain
    actions = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "service_order",
                                 AuditEvent.target_id == str(order.id)).order_by(AuditEvent.id))]
    assert actions == [f"order.{s}" for s in walked]
    assert order.history[2].reason == "人在外地" and order.history[2].actor.startswith("volunteer")


@pytest.mark.parametrize("status", ["placed", "cancelled", "in_service"])
def test_illegal_transitions_are_refused(db, place, teams, status):
    order = place()
    if status == "placed":
        ops.reject(order, teams["member"], "no")
    elif status == "cancelled":
        ops.cancel(order, "no")
    else:
        ops.accept(order, teams["member"])
        ops.start(order, teams["member"])
    with pytest.raises(DomainError) as refused:
        ops.rate(order, stars=5)
    assert refused.value.status == 409
    with pytest.raises(DomainError):
        ops.start(order, teams["member"])


def test_one_rating_per_order_is_a_database_fact(db, place, teams):
    order = place()
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    ops.rate(order, stars=5)
    db.session.commit()
    db.session.add(Rating(order_id=order.id, stars=1, tags=[], comment=""))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_stars_out_of_range_and_too_many_tags(db, place, teams):
    order = place()
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    for stars in (0, 6, "x", None):
        with pytest.raises(DomainError) as bad:
            ops.rate(order, stars=stars)
        assert bad.value.code == "invalid_stars"
    with pytest.raises(DomainError) as bad:
        ops.rate(order, stars=5, tags=["a", "b", "c", "d", "e", "f"])
    assert bad.value.code == "too_many_tags"


@pytest.mark.app_config({"ORDERS_PHONE_DAILY_LIMIT": 2})
def test_daily_limit_per_phone(db, place):
    place(phone="13811112222")
    place(phone="13811112222")
    with pytest.raises(DomainError) as refused:
        place(phone="13811112222")
    assert (refused.value.status, refused.value.code) == (429, "daily_limit")
    db.session.rollback()
    place(phone="13811113333")  # another number is not affected


def test_reopen_only_within_the_configured_days(db, place, teams):
    order = place()
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    with pytest.raises(DomainError) as late:
        ops.reopen(order, "还有问题", now=utcnow() + timedelta(days=8))
    assert late.value.code == "reopen_expired"


def test_escalation_is_idempotent_and_climbs_the_tree(db, runner, place, network):
    # No team for the film service and none in the west, no pool: it waits for dispatch.
    order = place(item="film", site="west_station")
    assert order.status == "placed" and order.unit_site_id == network["west_station"].id
    rules.set_policy(network["west_station"], pool_enabled=False, accept_timeout_minutes=30)
    order.placed_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    first = runner.invoke(args=["orders", "escalate"])
    assert first.exit_code == 0 and "escalated 1 orders" in first.output
    again = runner.invoke(args=["orders", "escalate"])
    assert "escalated 0 orders" in again.output
    db.session.rollback()
    order = db.session.get(Order, order.id)
    assert order.unit_site_id == network["west"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "order.escalate"))


def test_open_pool_lets_qualified_volunteers_grab(db, place, teams, network):
    rules.set_policy(network["west"], pool_enabled=True, accept_timeout_minutes=60)
    order = place(item="film", site="west_station")  # no team: into the unit's pool
    assert order.status == "dispatched" and order.is_pool and order.team_id is None
    assert not rules.may_accept(order, teams["member"])  # lives in the east
    with pytest.raises(DomainError) as refused:
        ops.accept(order, teams["member"])
    assert refused.value.code == "not_your_order"
    ops.accept(order, teams["outsider"])
    assert order.volunteer_id == teams["outsider"].id


def test_evaluations_for_the_volunteer_record(db, place, teams):
    order = place()
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    ops.rate(order, stars=2, comment="迟到")
    evaluations = ops.evaluations_for(teams["member"])
    assert [(e["service"], e["stars"], e["comment"]) for e in evaluations] == [
        ("助老陪护", 2, "迟到")]
    assert set(evaluations[0]) == {"date", "service", "stars", "comment"}
    assert order.is_flagged
