"""Notifications: one interface, an in-app record, and delivery backends that can plug in."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import and_, or_, select

from ..core.timeutil import utcnow
from ..extensions import db
from .models import Order, OrderNotice

log = logging.getLogger("wenming.orders.notify")

# A backend is `deliver(notice, order) -> str` (a short status kept on the notice). SMS or
# WeChat delivery registers one with `add_backend`; development only logs.
Backend = Callable[[OrderNotice, Order], str]


def log_backend(notice: OrderNotice, order: Order) -> str:
    log.info("notify %s:%s %s order %s (%s)", notice.recipient_type, notice.recipient_id,
             notice.event, order.number, order.status)
    return "logged"


def add_backend(app, name: str, backend: Backend) -> None:
    app.extensions.setdefault("order_notifiers", {})[name] = backend


def _recipient(recipient) -> tuple[str, str]:
    table = getattr(recipient, "__tablename__", None)
    if table in ("volunteer", "team", "site"):
        return table, str(recipient.id)
    return "resident", str(recipient)  # a phone number


def notify(recipient, event: str, order: Order) -> OrderNotice:
    """Tell a volunteer, a team, a unit (site) or a resident (phone number) about an order."""
    kind, ident = _recipient(recipient)
    notice = OrderNotice(recipient_type=kind, recipient_id=ident, event=event,
                         order_id=order.id, delivery={})
    db.session.add(notice)
    backends = {"log": log_backend}
    if has_app_context():
        backends.update(current_app.extensions.get("order_notifiers", {}))
    for name, backend in backends.items():
        try:
            notice.delivery[name] = backend(notice, order)
        except Exception as error:  # a failed SMS must not undo the order itself
            log.warning("notify backend %s failed: %s", name, error)
            notice.delivery[name] = "failed"
    return notice


def unread(kind: str, ident, limit: int = 50) -> list[OrderNotice]:
    return list(db.session.scalars(
        select(OrderNotice).where(OrderNotice.recipient_type == kind,
                                  OrderNotice.recipient_id == str(ident),
                                  OrderNotice.read_at.is_(None))
        .order_by(OrderNotice.id.desc()).limit(limit)))


def for_volunteer(volunteer_id: int, team_ids: list[int], limit: int = 20) -> list[OrderNotice]:
    """What a volunteer's task list shows, newest first: their own unread notices, and their
    teams' notices of orders still waiting for the team. A team's notice is every member's, so
    one member reading it must not hide it from the others: it goes when the order is taken."""
    own = unread("volunteer", volunteer_id, limit)
    if not team_ids:
        return own
    team = list(db.session.scalars(
        select(OrderNotice).join(Order, Order.id == OrderNotice.order_id)
        .where(OrderNotice.recipient_type == "team", OrderNotice.read_at.is_(None),
               Order.status == "dispatched", Order.volunteer_id.is_(None),
               or_(*(and_(OrderNotice.recipient_id == str(team_id), Order.team_id == team_id)
                     for team_id in team_ids)))
        .order_by(OrderNotice.id.desc()).limit(limit)))
    return sorted(own + team, key=lambda n: n.id, reverse=True)[:limit]


def dismiss(volunteer_id: int, ids: list[int]) -> int:
    """The volunteer has read these of their own notices (team notices are not theirs alone)."""
    notices = list(db.session.scalars(select(OrderNotice).where(
        OrderNotice.id.in_(ids), OrderNotice.recipient_type == "volunteer",
        OrderNotice.recipient_id == str(volunteer_id), OrderNotice.read_at.is_(None))))
    mark_read(notices)
    return len(notices)


def mark_read(notices: list[OrderNotice]) -> None:
    now = utcnow()
    for notice in notices:
        notice.read_at = now
    db.session.flush()
