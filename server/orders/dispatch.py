"""派单: the unit responsible, the rule (menu item → team), dispatch by hand, the open pool,
and escalation of orders nobody accepted in time."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import ValidationError
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..sites.models import Site, SiteKind
from ..volunteers.models import Team, TeamMember, Volunteer
from .models import Order, OrderPolicy, OrderStatusChange
from .notify import notify
from .states import record_escalation, refuse, transition

WAITING = ("placed", "dispatched", "reopened")


def unit_of(site: Site) -> Site:
    """A service point is run by the unit above it; every other site is a unit itself."""
    return site.parent if site.kind == SiteKind.POINT and site.parent else site


def policy_for(site: Site) -> dict:
    ids = site.ancestor_ids + [site.id]
    found = {p.site_id: p for p in db.session.scalars(
        select(OrderPolicy).where(OrderPolicy.site_id.in_(ids)))}
    for site_id in reversed(ids):  # the nearest ancestor with a policy wins
        if site_id in found:
            p = found[site_id]
            return {"pool_enabled": p.pool_enabled,
                    "accept_timeout_minutes": p.accept_timeout_minutes, "site_id": site_id}
    return {"pool_enabled": False, "site_id": None,
            "accept_timeout_minutes": current_app.config["ORDERS_ACCEPT_TIMEOUT_MINUTES"]}


def set_policy(site: Site, *, pool_enabled: bool, accept_timeout_minutes, actor: Actor = None):
    try:
        minutes = int(accept_timeout_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 0 < minutes <= 7 * 24 * 60:
        raise ValidationError(_l("The waiting time must be 1 minute to 7 days."),
                              "invalid_timeout", field="accept_timeout_minutes")
    policy = db.session.scalar(select(OrderPolicy).where(OrderPolicy.site_id == site.id)
                               .with_for_update())
    if policy is None:
        policy = OrderPolicy(site_id=site.id)
        db.session.add(policy)
    policy.pool_enabled, policy.accept_timeout_minutes = bool(pool_enabled), minutes
    db.session.flush()
    audit.record("order_policy.set", policy, actor=actor, site_id=site.id,
                 pool_enabled=bool(pool_enabled), accept_timeout_minutes=minutes)
    return policy


def rule_team(order: Order) -> Team | None:
    """The menu item's team; else the nearest active team of a unit above the order's site."""
    if order.item.team is not None and order.item.team.is_active:
        return order.item.team
    ids = order.site.ancestor_ids + [order.site_id]
    teams = db.session.scalars(select(Team).where(Team.site_id.in_(ids), Team.is_active.is_(True),
                                                  Team.is_general.is_(False))).all()
    teams.sort(key=lambda t: (-ids.index(t.site_id), t.id))
    return teams[0] if teams else None


def manual_routing(order: Order):
    """The last dispatch of `order` when an admin made it by hand (its history row), else
    None: a reopened order goes back to whom the admin chose, not to the menu's rule."""
    last = db.session.scalar(
        select(OrderStatusChange).where(OrderStatusChange.order_id == order.id,
                                        OrderStatusChange.to_status == "dispatched")
        .order_by(OrderStatusChange.id.desc()).limit(1))
    return last if last is not None and last.reason in ("by hand", "kept") else None


def redispatch(order: Order, *, actor="rule") -> Order:
    """After a reopen: the admin's routing when there was one (team, named volunteer), else
    the rule's."""
    manual = manual_routing(order)
    if manual is None or (manual.team is not None and not manual.team.is_active) or (
            manual.volunteer is not None and not manual.volunteer.is_active):
        return dispatch_by_rule(order, actor=actor)
    transition(order, "dispatched", actor=actor, reason="kept", team_id=manual.team_id,
               volunteer_id=manual.volunteer_id, is_pool=order.is_pool)
    _announce(order)
    return order


def dispatch_by_rule(order: Order, *, actor="rule") -> Order:
    """On placement or reopening: to the rule's team, into the pool where the unit allows it;
    with neither the order waits on the dispatch board."""
    team = rule_team(order)
    pool = policy_for(order.unit)["pool_enabled"]
    if team is None and not pool:
        notify(order.unit, "needs_dispatch", order)
        return order
    transition(order, "dispatched", actor=actor, reason="rule", team_id=team.id if team else None,
               volunteer_id=None, is_pool=pool)
    _announce(order)
    return order


def dispatch(order: Order, *, team: Team | None = None, volunteer: Volunteer | None = None,
             pool: bool = False, actor: Actor = None) -> Order:
    """By hand from the dispatch board: to a team, a volunteer, and/or the open pool."""
    order = lock(order)
    if team is None and volunteer is None and not pool:
        raise ValidationError(_l("Choose a team or a volunteer."), "assignee_required",
                              field="team_id")
    if order.status not in WAITING:
        raise refuse(order, "not_dispatchable", _l("This order can no longer be dispatched."))
    # A named volunteer: they alone (or the team leader) may accept it.
    transition(order, "dispatched", actor=actor, reason="by hand",
               team_id=team.id if team else None, is_pool=bool(pool),
               volunteer_id=volunteer.id if volunteer else None, escalated_at=None)
    _announce(order)
    return order


def _announce(order: Order) -> None:
    if order.volunteer is not None:
        notify(order.volunteer, "dispatched", order)
    elif order.team is not None:
        notify(order.team, "dispatched", order)
    if order.is_pool:
        notify(order.unit, "pool", order)


def lock(order: Order) -> Order:
    return db.session.scalar(select(Order).where(Order.id == order.id).with_for_update()
                             .execution_options(populate_existing=True))


def is_member(team_id: int | None, volunteer: Volunteer, *, leader: bool = False) -> bool:
    if team_id is None:
        return False
    query = select(TeamMember).where(TeamMember.team_id == team_id,
                                     TeamMember.volunteer_id == volunteer.id)
    if leader:
        query = query.where(TeamMember.is_leader.is_(True))
    return db.session.scalar(query) is not None


def may_accept(order: Order, volunteer: Volunteer) -> bool:
    if not volunteer.is_active:
        return False
    if order.volunteer_id is not None:
        return order.volunteer_id == volunteer.id or is_member(order.team_id, volunteer,
                                                               leader=True)
    if is_member(order.team_id, volunteer):
        return True
    # The open pool: anyone whose home site lies in the responsible unit's subtree.
    return order.is_pool and order.unit.contains(volunteer.home_site)


def _is_overdue(order: Order, now) -> bool:
    if order.status not in WAITING or order.unit.parent_id is None:
        return False  # the center is the top: nowhere further to escalate
    since = as_utc(order.escalated_at or order.dispatched_at or order.placed_at)
    limit = timedelta(minutes=policy_for(order.unit)["accept_timeout_minutes"])
    return now - since >= limit


def overdue(now=None) -> list[Order]:
    now = now or utcnow()
    return [order for order in db.session.scalars(
        select(Order).where(Order.status.in_(WAITING)).order_by(Order.id))
        if _is_overdue(order, now)]


def escalate_overdue(now=None, *, actor="rule") -> list[Order]:
    """Hand each order nobody accepted in time to the parent unit. Safe to repeat: an order
    escalated now waits a full timeout at its new unit before it moves again."""
    now = now or utcnow()
    moved = []
    for candidate in overdue(now):
        order = lock(candidate)
        if not _is_overdue(order, now):  # someone acted on it meanwhile
            continue
        old_unit = order.unit
        order.unit_site_id, order.escalated_at = old_unit.parent_id, now
        db.session.flush()
        db.session.refresh(order)
        record_escalation(order, actor=actor, at=now)
        audit.record("order.escalate", order, actor=actors.for_audit(actor), number=order.number,
                     from_unit=old_unit.id, to_unit=order.unit_site_id)
        notify(order.unit, "escalated", order)
        moved.append(order)
    return moved
