"""The order state machine: the legal transitions, and the one function that changes status."""

from __future__ import annotations

from sqlalchemy import update

from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import Conflict
from ..core.i18n import _, _l
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Order, OrderStatusChange

# from-status -> the statuses it may move to. "placed" waits for dispatch (a rejected order
# returns there); "dispatched" -> "dispatched" is a reassignment.
TRANSITIONS: dict[str, frozenset[str]] = {
    "placed": frozenset({"dispatched", "cancelled"}),
    "dispatched": frozenset({"dispatched", "accepted", "placed", "cancelled"}),
    "accepted": frozenset({"in_service", "placed", "cancelled"}),
    "in_service": frozenset({"completed"}),
    "completed": frozenset({"rated", "reopened"}),
    "rated": frozenset({"reopened"}),
    "reopened": frozenset({"dispatched", "cancelled"}),
    "cancelled": frozenset(),
}

# The timestamp each status stamps on the order when it is entered.
STAMPS = {"dispatched": "dispatched_at", "accepted": "accepted_at", "in_service": "started_at",
          "completed": "completed_at", "cancelled": "closed_at", "rated": "closed_at"}

STATUS_LABELS = {
    "placed": _l("Waiting for dispatch"),
    "dispatched": _l("Dispatched"),
    "accepted": _l("Accepted"),
    "in_service": _l("In service"),
    "completed": _l("Completed"),
    "rated": _l("Rated"),
    "cancelled": _l("Cancelled"),
    "reopened": _l("Reopened"),
}


class StateConflict(Conflict):
    """The order is not in a state that allows this; `details` says which state it is in."""


def refuse(order: Order, code: str, message) -> StateConflict:
    return StateConflict(message, code, details={"status": order.status})


def record_escalation(order: Order, *, actor, at) -> None:
    """An escalation keeps the status but moves the order up: one history row says where."""
    db.session.add(OrderStatusChange(order_id=order.id, from_status=order.status,
                                     to_status=order.status, at=at, actor=actors.label(actor),
                                     reason="escalated", unit_site_id=order.unit_site_id))


# Reason codes the rules write into the history; anything else is a person's own words.
REASON_LABELS = {
    "rule": _l("by the menu's rule"),
    "by hand": _l("by hand"),
    "escalated": _l("escalated: nobody accepted in time"),
    "kept": _l("to whom the administrator had chosen"),
    "code_phone": _l("order code scanned by phone"),
    "code_kiosk": _l("order code scanned at a kiosk"),
    "resident": _l("confirmed by the resident"),
}


def reason_text(reason: str) -> str:
    """A history row's reason for people: stored codes in words, stars as stars."""
    if reason in REASON_LABELS:
        return str(REASON_LABELS[reason])
    stars = reason.removesuffix(" stars")
    if stars != reason and stars.isdigit():
        return _("%(n)s stars", n=stars)
    return reason


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def transition(order: Order, to_status: str, *, actor: Actor = None, reason: str = "", at=None,
               conflict_code: str = "invalid_transition", **values) -> Order:
    """Move `order` to `to_status` with a conditional UPDATE (… WHERE status = <expected>), so
    two writers racing past their checks cannot both succeed, even on SQLite; then append the
    status history row and the audit event. Extra column values go in the same UPDATE."""
    from_status = order.status
    if not can_move(from_status, to_status):
        raise refuse(order, conflict_code,
                      _l("This order is “%(s)s” and cannot become “%(t)s”.",
                         s=STATUS_LABELS[from_status], t=STATUS_LABELS[to_status]))
    at = at or utcnow()
    if to_status in STAMPS:
        values.setdefault(STAMPS[to_status], at)
    db.session.flush()
    result = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status == from_status)
        .values(status=to_status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(order)
        raise refuse(order, conflict_code,
                      _l("Someone else changed this order just now. Please reload."))
    db.session.refresh(order)
    went_to = ({"team_id": order.team_id, "volunteer_id": order.volunteer_id}
               if to_status == "dispatched" else {})
    db.session.add(OrderStatusChange(order_id=order.id, from_status=from_status,
                                     to_status=to_status, at=at, actor=actors.label(actor),
                                     reason=(reason or "")[:200], **went_to))
    audit.record(f"order.{to_status}", order, actor=actors.for_audit(actor), number=order.number,
                 from_status=from_status, reason=reason or "")
    db.session.flush()
    return order
