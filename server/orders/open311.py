"""Open311 GeoReport v2 (JSON) under /open311/v2/: services, service definitions, and service
requests (our orders). Statuses map to open/closed; ours is in the extension `detailed_status`.
The resident's phone, place and note are never published; `address` is the site's."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import csrf, db, limiter
from ..sites.models import Site
from . import operations as ops
from .menu import get_item, offered_at
from .models import Order, ServiceItem

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

CLOSED = ("completed", "rated", "cancelled")
LIMIT = 1000


class Open311Error(DomainError):
    pass


def _error(status: int, message) -> tuple:
    return jsonify([{"code": status, "description": str(message)}]), status


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    mark_failed()
    return _error(error.status, error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    mark_failed()
    return _error(error.code or 500, error.description or error.name)


def jurisdiction() -> str:
    return current_app.config["OPEN311_JURISDICTION"] or urlsplit(
        current_app.config["BASE_URL"]).hostname or ""


@bp.before_request
def _check_jurisdiction():
    given = request.values.get("jurisdiction_id")
    if given and given != jurisdiction():
        raise NotFound(_l("Unknown jurisdiction_id."), "unknown_jurisdiction")


def w3c(value: datetime | None) -> str | None:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _service(item: ServiceItem) -> dict:
    return {"service_code": str(item.id), "service_name": item.name,
            "description": item.description or item.name, "metadata": False,
            "type": "realtime", "keywords": item.brand, "group": item.content_area}


def _request(order: Order) -> dict:
    site = order.site
    return {
        "service_request_id": order.number,
        "status": "closed" if order.status in CLOSED else "open",
        "detailed_status": order.status,  # extension: our own state machine's status
        "status_notes": order.history[-1].reason if order.history else "",
        "service_name": order.item.name, "service_code": str(order.item_id),
        "description": order.item.name, "agency_responsible": order.unit.name,
        "service_notice": "", "requested_datetime": w3c(order.placed_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": w3c(order.preferred_at), "address": site.address or site.name,
        "address_id": str(site.id), "zipcode": "",
        "lat": site.latitude, "long": site.longitude, "media_url": "",
    }


@bp.get("/services.json")
def services():
    items = db.session.scalars(select(ServiceItem).where(ServiceItem.is_active.is_(True))
                               .order_by(ServiceItem.id))
    return jsonify([_service(i) for i in items])


@bp.get("/services/<code>.json")
def service_definition(code: str):
    item = get_item(code)
    return jsonify({"service_code": str(item.id), "attributes": []})


def _api_key() -> None:
    keys = {k.strip() for k in current_app.config["OPEN311_API_KEYS"].split(",") if k.strip()}
    if request.values.get("api_key") not in keys:
        raise Open311Error(_l("A valid api_key is required."), "invalid_api_key", status=403)


def _float(name: str) -> float | None:
    raw = request.values.get(name)
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValidationError(_l("%(f)s must be a number.", f=name), "invalid_number") from None


@bp.post("/requests.json")
@csrf.exempt  # an API for other systems, authenticated by api_key, not a browser session
@limiter.limit(lambda: current_app.config["ORDERS_RATELIMIT"])
def create_request():
    _api_key()
    values = request.values
    if not values.get("service_code"):
        raise ValidationError(_l("service_code is required."), "service_code_required")
    item = get_item(values["service_code"])
    lat, lng = _float("lat"), _float("long")
    address = values.get("address_string", "")
    site = item.site
    if values.get("address_id"):
        site = db.session.get(Site, int(values["address_id"])) if values[
            "address_id"].isdigit() else None
        if site is None or not offered_at(item, site):
            raise ValidationError(_l("address_id is not a site offering this service."),
                                  "invalid_address_id")
    elif (lat is None or lng is None) and not address:
        raise ValidationError(_l("A location is required: lat and long, address_string or "
                                 "address_id."), "location_required")
    order = ops.place_order(site=site, item=item, phone=values.get("phone"), place=address,
                            note=values.get("description", ""), latitude=lat, longitude=lng,
                            channel="open311", actor="open311")
    return jsonify([{"service_request_id": order.number, "service_notice": "",
                     "account_id": None}])


def _date(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(_l("%(f)s must be a W3C date-time.", f=name),
                              "invalid_date") from None
    return as_utc(value)


@bp.get("/requests.json")
def list_requests():
    stmt = select(Order)
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        stmt = stmt.where(Order.number.in_(ids))  # the other filters are ignored, as specified
    else:
        end = _date("end_date") or utcnow()
        start = _date("start_date") or end - timedelta(days=90)
        stmt = stmt.where(Order.placed_at >= start, Order.placed_at <= end)
        if request.args.get("service_code"):
            codes = [c for c in request.args["service_code"].split(",") if c.isdigit()]
            stmt = stmt.where(Order.item_id.in_([int(c) for c in codes]))
        statuses = set(request.args.get("status", "").split(",")) - {""}
        if statuses - {"open", "closed"}:
            raise ValidationError(_l("status must be open or closed."), "invalid_status")
        if statuses == {"open"}:
            stmt = stmt.where(Order.status.not_in(CLOSED))
        elif statuses == {"closed"}:
            stmt = stmt.where(Order.status.in_(CLOSED))
    orders = db.session.scalars(stmt.order_by(Order.placed_at.desc()).limit(LIMIT))
    return jsonify([_request(o) for o in orders])


@bp.get("/requests/<request_id>.json")
def get_request(request_id: str):
    return jsonify([_request(ops.get_order(request_id))])
