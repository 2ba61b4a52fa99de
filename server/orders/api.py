"""JSON endpoints: the menu (kiosks), accept/give back/start (volunteer phones), the board."""

from __future__ import annotations

from flask import Blueprint, request

from ..core.api import error_responses, json_body
from ..core.auth import current_user, login_required
from ..core.errors import NotFound, Unauthorized, ValidationError
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from ..core.timeutil import utcnow
from ..extensions import db
from ..sites.models import Site
from ..volunteers.auth import current_volunteer
from . import board
from . import dispatch as rules
from . import operations as ops
from .menu import menu_for
from .schemas import DISPATCH_IN, MENU, ORDER, ORDER_LIST, REJECT_IN, item_out, order_out

bp = Blueprint("orders_api", __name__, url_prefix=API_PREFIX + "/orders")


def _volunteer():
    volunteer = current_volunteer()
    if volunteer is None:
        raise Unauthorized(_l("Please log in as a volunteer on this phone."),
                           "volunteer_login_required")
    return volunteer


@bp.get("/menu")
@documented("The service menu offered at a site (its own items and those of units above)",
            query={"site_id": {"type": "integer"}},
            responses={200: ("the menu", MENU), **error_responses(400, 404)}, tags=("orders",))
def menu():
    site = db.session.get(Site, request.args.get("site_id", type=int) or 0)
    if site is None or not site.is_active:
        raise NotFound(_l("No such site."), "site_not_found")
    return {"site_id": site.id, "items": [item_out(i) for i in menu_for(site)]}


@bp.post("/<number>/accept")
@documented("Accept an order (volunteer phone session); one of many racing accepts wins",
            responses={200: ("accepted", ORDER), **error_responses(401, 403, 404, 409)},
            tags=("orders",), security="volunteer")
def accept(number: str):
    return order_out(ops.accept(ops.get_order(number), _volunteer()), utcnow())


@bp.post("/<number>/reject")
@documented("Give an order back to dispatch, with a reason", request=REJECT_IN,
            responses={200: ("back to dispatch", ORDER), **error_responses(400, 401, 403, 404,
                                                                             409)},
            tags=("orders",), security="volunteer")
def reject(number: str):
    order = ops.reject(ops.get_order(number), _volunteer(), json_body().get("reason"))
    return order_out(order, utcnow())


@bp.post("/<number>/start")
@documented("Start serving an accepted order",
            responses={200: ("in service", ORDER), **error_responses(401, 403, 404, 409)},
            tags=("orders",), security="volunteer")
def start(number: str):
    return order_out(ops.start(ops.get_order(number), _volunteer()), utcnow())


@bp.get("")
@login_required
@documented("Orders in your subtree (the dispatch board)",
            query={"status": {"type": "string"}, "item_id": {"type": "integer"},
                   "flagged": {"type": "boolean"}},
            responses={200: ("orders", ORDER_LIST), **error_responses(400, 401)},
            tags=("orders",), security=True)
def list_orders():
    orders = board.query(current_user(), request.args)
    now = utcnow()
    return {"orders": [order_out(o, now) for o in orders]}


@bp.post("/<number>/dispatch")
@login_required
@documented("Dispatch an order by hand to a team, a volunteer or the open pool",
            request=DISPATCH_IN,
            responses={200: ("dispatched", ORDER), **error_responses(400, 401, 403, 404, 409)},
            tags=("orders",), security=True)
def dispatch(number: str):
    order = board.require_order(number)
    data = json_body()
    team_id = data.get("team_id")
    if team_id is not None and (not isinstance(team_id, int) or isinstance(team_id, bool)):
        raise ValidationError(_l("No such team."), "team_not_found", field="team_id")
    team, volunteer = board.assignees(current_user(), team_id, data.get("volunteer_number"))
    rules.dispatch(order, team=team, volunteer=volunteer, pool=bool(data.get("pool")),
                   actor=current_user())
    return order_out(order, utcnow())
