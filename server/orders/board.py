"""The dispatch board's queries, scoped to the admin's subtree."""

from __future__ import annotations

from sqlalchemy import select

from ..core.auth import authorize
from ..extensions import db
from ..sites.models import Site
from . import operations as ops
from .models import STATUSES, Order

# Board columns, left to right: what needs a person first.
COLUMNS = (("waiting", ("placed", "reopened")), ("dispatched", ("dispatched",)),
           ("accepted", ("accepted",)), ("in_service", ("in_service",)),
           ("done", ("completed", "rated")))


def scoped(user):
    return (select(Order).join(Site, Site.id == Order.site_id)
            .where(Site.path.startswith(user.site.path, autoescape=True)))


def query(user, args, *, limit: int = 500) -> list[Order]:
    stmt = scoped(user)
    status = args.get("status")
    if status in STATUSES:
        stmt = stmt.where(Order.status == status)
    if str(args.get("item_id", "")).isdigit():
        stmt = stmt.where(Order.item_id == int(args["item_id"]))
    if str(args.get("team_id", "")).isdigit():
        stmt = stmt.where(Order.team_id == int(args["team_id"]))
    if args.get("flagged") in ("1", "true"):
        stmt = stmt.where(Order.is_flagged.is_(True))
    if args.get("escalated") in ("1", "true"):
        stmt = stmt.where(Order.unit_site_id == user.site_id)
    number = (args.get("q") or "").strip()
    if number:
        stmt = stmt.where(Order.number.startswith(number, autoescape=True))
    return list(db.session.scalars(stmt.order_by(Order.placed_at.desc()).limit(limit)))


def columns(orders: list[Order]) -> list[tuple[str, list[Order]]]:
    return [(name, sorted([o for o in orders if o.status in statuses],
                          key=lambda o: o.placed_at)) for name, statuses in COLUMNS]


def require_order(number: str) -> Order:
    order = ops.get_order(number)
    authorize(order.site)
    return order
