"""The dispatch board's queries, scoped to the admin's subtree."""

from __future__ import annotations

from sqlalchemy import func, select

from ..core.auth import authorize, require_site
from ..core.errors import NotFound, ValidationError
from ..core.i18n import _l
from ..core.paging import date_range
from ..core.schema import parse_id
from ..extensions import db
from ..sites.models import Site
from ..volunteers import teams
from ..volunteers.models import Volunteer
from . import dispatch
from . import operations as ops
from .models import BRANDS, CONTENT_AREAS, STATUSES, Order, Rating, ServiceItem

# Board columns, left to right: what needs a person first.
COLUMNS = (("waiting", ("placed", "reopened")), ("dispatched", ("dispatched",)),
           ("accepted", ("accepted",)), ("in_service", ("in_service",)),
           ("done", ("completed", "rated")), ("cancelled", ("cancelled",)))


def scoped(user):
    return (select(Order).join(Site, Site.id == Order.site_id)
            .where(Site.path.startswith(user.site.path, autoescape=True)))


def filtered(user, args):
    """The board's filters on the admin's subtree, as a statement (unordered, unlimited):
    the board shows its newest 500, the export all of it. `site` narrows to a site of the
    subtree (one outside it, or a missing one, answers 404; text, 400), `brand`, `area` and
    `stars` to what the reports page counts, so each of its figures links to its orders."""
    stmt = scoped(user)
    site_id = str(args.get("site", "")).strip()
    if site_id:
        site = require_site(parse_id(site_id) or 0) if site_id.isdigit() else None
        if site is None:
            raise ValidationError(_l("No such site."), "site_not_found", field="site")
        stmt = stmt.where(Site.path.startswith(site.path, autoescape=True))
    if args.get("brand") in BRANDS:
        stmt = stmt.where(Order.item_id.in_(select(ServiceItem.id).where(
            ServiceItem.brand == args["brand"])))
    if args.get("area") in CONTENT_AREAS:
        stmt = stmt.where(Order.item_id.in_(select(ServiceItem.id).where(
            ServiceItem.content_area == args["area"])))
    if str(args.get("stars", "")) in ("1", "2", "3", "4", "5"):
        stmt = stmt.where(Order.id.in_(select(Rating.order_id).where(
            Rating.stars == int(args["stars"]))))
    status = args.get("status")
    if status in STATUSES:
        stmt = stmt.where(Order.status == status)
    if str(args.get("item_id", "")).isdigit():
        stmt = stmt.where(Order.item_id == int(args["item_id"]))
    service = (args.get("service") or "").strip()
    if service:  # by name: the same service is offered by many sites' menus
        stmt = stmt.where(Order.item_id.in_(select(ServiceItem.id).where(
            ServiceItem.name == service)))
    if str(args.get("team_id", "")).isdigit():
        stmt = stmt.where(Order.team_id == int(args["team_id"]))
    if args.get("flagged") in ("1", "true"):
        stmt = stmt.where(Order.is_flagged.is_(True))
    if args.get("escalated") in ("1", "true"):
        stmt = stmt.where(Order.unit_site_id == user.site_id)
    number = (args.get("q") or "").strip()
    if number:
        stmt = stmt.where(Order.number.startswith(number, autoescape=True))
    return date_range(args).apply(stmt, Order.placed_at)


#: Orders the board shows at most, newest first; it says so past this, and the export has all.
BOARD_LIMIT = 500


def query(user, args, *, limit: int | None = None) -> list[Order]:
    """The newest orders the filters find (ties by number), BOARD_LIMIT of them by default."""
    return list(db.session.scalars(
        filtered(user, args).order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(BOARD_LIMIT if limit is None else limit)))


def total(user, args) -> int:
    """How many orders the board's filters find, shown or not."""
    return int(db.session.scalar(select(func.count()).select_from(
        filtered(user, args).with_only_columns(Order.id).subquery())) or 0)


FILTERS = ("q", "status", "service", "item_id", "team_id", "flagged", "escalated", "from",
           "to", "site", "brand", "area", "stars")


def columns(orders: list[Order], args=None) -> list[tuple[str, list[Order]]]:
    """The board's columns. Cancelled orders are left off the everyday board; under any
    filter they get a column of their own (when there are some), so none is lost from view."""
    filtered = any((args or {}).get(name) for name in FILTERS)
    found = [(name, sorted([o for o in orders if o.status in statuses],
                           key=lambda o: o.placed_at)) for name, statuses in COLUMNS]
    return [(name, rows) for name, rows in found
            if name != "cancelled" or (filtered and rows)]


def service_names(user) -> list[str]:
    """The services ordered in the admin's subtree or offered on its menus, each name once."""
    return list(db.session.scalars(
        select(ServiceItem.name).join(Site, Site.id == ServiceItem.site_id)
        .where(Site.path.startswith(user.site.path, autoescape=True)
               | ServiceItem.site_id.in_(user.site.ancestor_ids))
        .distinct().order_by(ServiceItem.name)))


def require_order(number: str) -> Order:
    order = ops.get_order(number)
    authorize(order.site, missing=NotFound(_l("No such order."), "order_not_found"))
    return order


def assignees(user, team_id, volunteer_number) -> tuple:
    """(team, volunteer) an admin named for a dispatch by hand, from the page or the API. A
    team must be one the admin's unit may name (`teams.usable_by`); a volunteer one the admin
    manages or a member of that team. Anything else is refused as if it did not exist."""
    team = volunteer = None
    if team_id not in (None, ""):
        try:
            team = teams.require_usable(team_id, user.site)
        except NotFound:
            raise ValidationError(_l("No such team."), "team_not_found", field="team_id") from None
    number = str(volunteer_number or "").strip().upper()
    if number:
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.number == number))
        if volunteer is None or not (user.site.contains(volunteer.home_site) or (
                team is not None and dispatch.is_member(team.id, volunteer))):
            raise ValidationError(_l("No such volunteer."), "volunteer_not_found",
                                  field="volunteer_number")
    return team, volunteer
