"""Open311 GeoReport v2 under /open311/: discovery, services, service definitions and service
requests (our orders), as XML (the spec's base format) or JSON, chosen by the suffix.
Statuses map to open/closed; ours is in the extension `detailed_status`. Residents' phones are
never published; the public `address` is the site's, and the key that posted a request reads
it back with the reporter's own description and location."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from ..core import limits
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import csrf, db, limiter
from ..sites import operations as sites
from ..sites.models import Site
from . import georeport
from . import operations as ops
from .menu import get_item, offered_at
from .models import Open311Submission, Order, ServiceItem

bp = Blueprint("open311", __name__, url_prefix="/open311")

PREFIX = "/open311"
FORMAT = "<any(json, xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CLOSED = ("completed", "rated", "cancelled")
LIMIT = 1000  # the spec's most requests per answer
MAX_SPAN = timedelta(days=90)  # the spec's longest start_date..end_date
AREA_MARGIN = 0.3  # degrees (about 30 km) around the sites when OPEN311_AREA is not set
# The changeset when no service was ever created: the day this face last changed shape.
FACE_CHANGED = datetime(2026, 12, 1, tzinfo=UTC)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)  # far enough from datetime.max for a 90-day span

ROW_ID = re.compile(r"[0-9]{1,10}")
ROW_ID_MAX = 2**31 - 1  # PostgreSQL integer
ORDER_NUMBER = re.compile(r"[0-9]{1,20}")
DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")
W3C_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"
                          r"(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})")
# NUL and the other C0 controls except tab and line breaks, DEL, lone surrogates: PostgreSQL
# refuses NUL in text and XML cannot carry the others, so they are refused at the edge.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class Open311Error(DomainError):
    pass


# ---- errors, always in the requested format --------------------------------------------------


def _http_message(status: int):
    return {
        403: _l("You may not do this."),
        404: _l("There is no Open311 resource at this address."),
        405: _l("This Open311 resource does not accept that method."),
        413: _l("The request is too large."),
        429: _l("Too many requests. Please wait a minute and try again."),
    }.get(status, _l("The request could not be understood.") if status < 500 else
          _l("Something went wrong on our side. Please try again."))


HTTP_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}


def _http_answer(error: HTTPException):
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return georeport.errors(georeport.format_of(request.path), status,
                            HTTP_CODES.get(status, "server_error" if status >= 500 else
                                           "http_error"), _http_message(status), headers)


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    mark_failed()
    return georeport.errors(georeport.format_of(request.path), error.status, error.code,
                            error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    mark_failed()
    return _http_answer(error)


@bp.before_app_request
def _unrouted():
    """An unknown path or method under /open311 never reaches the blueprint (routing failed
    first), so the app's HTML error page would answer: answer the spec's error array."""
    error = request.routing_exception
    if (error is None or isinstance(error, RequestRedirect)
            or not (request.path == PREFIX or request.path.startswith(PREFIX + "/"))):
        return None
    return _http_answer(error)


# ---- checks at the edge ----------------------------------------------------------------------


def refuse_control_characters(pairs: Iterable[tuple[str, str]]) -> None:
    """Refuse (400 invalid_text) any name or value holding NUL, another C0 control other than
    tab and line breaks, DEL, or a lone surrogate: the same answer on SQLite and PostgreSQL."""
    for name, value in pairs:
        for text in (name, value):
            if isinstance(text, str) and CONTROL.search(text):
                raise ValidationError(
                    _l("%(field)s contains a control character (such as NUL), which is not "
                       "allowed.", field=georeport.printable(name)[:40]),
                    "invalid_text", field=name)


def jurisdiction() -> str:
    return current_app.config["OPEN311_JURISDICTION"] or urlsplit(
        current_app.config["BASE_URL"]).hostname or ""


@bp.before_request
def _check_request():
    pairs = list(request.args.items(multi=True)) + list(request.form.items(multi=True))
    refuse_control_characters(pairs + list((request.view_args or {}).items()))
    given = request.values.get("jurisdiction_id")
    if given and given != jurisdiction():
        raise NotFound(_l("Unknown jurisdiction_id."), "unknown_jurisdiction")


def _row_id(raw: str | None) -> int | None:
    """A database id from text, or None: ASCII digits only, within PostgreSQL's integer."""
    if raw is None or not ROW_ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= ROW_ID_MAX else None


def _item(raw: str | None) -> ServiceItem:
    if raw in (None, ""):
        raise ValidationError(_l("service_code is required."), "service_code_required",
                              field="service_code")
    item_id = _row_id(raw)
    if item_id is None:
        raise NotFound(_l("No such service."), "item_not_found", field="service_code")
    return get_item(item_id)


def _listed(name: str) -> list[str]:
    """A list argument: repeated, comma-separated, or both (the spec allows either)."""
    return [part.strip() for value in request.args.getlist(name) for part in value.split(",")
            if part.strip()]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _valid_key(given: str) -> bool:
    keys = [k.strip() for k in current_app.config["OPEN311_API_KEYS"].split(",") if k.strip()]
    return any(hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8")) for key in keys)


def _api_key(*, required: bool) -> str | None:
    """The request's api_key. Posting needs one; a read may name one to see its own reports,
    and a wrong one is refused rather than quietly answered with the public view."""
    given = request.values.get("api_key", "")
    if not given and not required:
        return None
    if not _valid_key(given):
        raise Open311Error(_l("A valid api_key is required."), "invalid_api_key", status=403)
    return given


# ---- location --------------------------------------------------------------------------------


class Area(NamedTuple):
    """The jurisdiction's bounding box in WGS84 degrees (it does not cross the antimeridian)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lng <= self.east


def parse_area(text: str) -> Area:
    """OPEN311_AREA, "south,west,north,east"; a malformed value stops start-up."""
    try:
        area = Area(*(float(part) for part in text.split(",")))
    except (TypeError, ValueError):
        raise ValueError(f"OPEN311_AREA must be 'south,west,north,east', not {text!r}") from None
    if not (-90 <= area.south <= area.north <= 90 and -180 <= area.west <= area.east <= 180):
        raise ValueError(f"OPEN311_AREA is not a box on the globe: {text!r}")
    return area


@bp.record_once
def _check_settings(state) -> None:
    if state.app.config["OPEN311_AREA"]:
        parse_area(state.app.config["OPEN311_AREA"])


def jurisdiction_area() -> Area | None:
    """The area served: OPEN311_AREA, else the sites' own coordinates with a margin, else
    unknown (None: any point on the globe is accepted)."""
    if current_app.config["OPEN311_AREA"]:
        return parse_area(current_app.config["OPEN311_AREA"])
    bounds = sites.coordinate_bounds()
    if bounds is None:
        return None
    south, west, north, east = bounds
    return Area(max(-90.0, south - AREA_MARGIN), max(-180.0, west - AREA_MARGIN),
                min(90.0, north + AREA_MARGIN), min(180.0, east + AREA_MARGIN))


def _degrees(name: str, bound: int) -> float | None:
    raw = request.values.get(name, "").strip()
    if not raw:
        return None
    if not DECIMAL.fullmatch(raw):
        raise ValidationError(_l("%(f)s must be a decimal number of degrees.", f=name),
                              "invalid_number", field=name)
    value = float(raw)
    if not -bound <= value <= bound:
        raise ValidationError(_l("%(f)s must be between -%(n)d and %(n)d degrees.", f=name,
                                 n=bound), "coordinate_out_of_range", field=name)
    return value


def _coordinates() -> tuple[float | None, float | None]:
    lat, lng = _degrees("lat", 90), _degrees("long", 180)
    if (lat is None) != (lng is None):
        raise ValidationError(_l("lat and long must be sent together."),
                              "incomplete_coordinates", field="long" if lng is None else "lat")
    if lat is not None:
        area = jurisdiction_area()
        if area is not None and not area.contains(lat, lng):
            raise ValidationError(_l("This location is outside the area we serve."),
                                  "outside_jurisdiction", field="lat")
    return lat, lng


# ---- dates -----------------------------------------------------------------------------------


def w3c(value: datetime | None) -> str | None:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _date(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not W3C_DATETIME.fullmatch(raw):
        raise ValidationError(_l("%(f)s must be a W3C date-time with its time zone, such as "
                                 "2026-11-01T00:00:00Z.", f=name), "invalid_date", field=name)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise ValidationError(_l("%(f)s is not a real date and time.", f=name),
                              "invalid_date", field=name) from None
    except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00 is in the year 10000 in UTC
        value = None
    if value is None or not EARLIEST <= value < LATEST:
        raise ValidationError(_l("%(f)s must lie between 1970 and 9998.", f=name),
                              "date_out_of_range", field=name)
    return value


def _date_range() -> tuple[datetime, datetime]:
    """The spec's window: at most 90 days; either end alone spans 90 days from it, neither
    is the last 90 days."""
    start, end = _date("start_date"), _date("end_date")
    if start is not None and end is not None:
        if end < start:
            raise ValidationError(_l("end_date is before start_date."), "end_before_start",
                                  field="end_date")
        if end - start > MAX_SPAN:
            raise ValidationError(_l("start_date and end_date may be at most 90 days apart."),
                                  "span_too_long", field="end_date")
        return start, end
    if start is not None:
        return start, start + MAX_SPAN
    end = end or utcnow()
    return end - MAX_SPAN, end


# ---- documents -------------------------------------------------------------------------------


def _service(item: ServiceItem) -> dict:
    return {"service_code": str(item.id), "service_name": item.name,
            "description": item.description or item.name, "metadata": False,
            "type": "realtime", "keywords": item.brand, "group": item.content_area}


def _request(order: Order, *, own: bool = False) -> dict:
    """The public view publishes the site's address; `own` (read with the key that posted the
    order) shows the reporter's own description and location instead, where given."""
    site = order.site
    address, lat, lng = site.address or site.name, site.latitude, site.longitude
    description = order.item.name
    if own:
        description = order.note or description
        address = order.place or address
        if order.latitude is not None:
            lat, lng = order.latitude, order.longitude
    return {
        "service_request_id": order.number,
        "status": "closed" if order.status in CLOSED else "open",
        "detailed_status": order.status,  # extension: our own state machine's status
        "status_notes": order.history[-1].reason if order.history else "",
        "service_name": order.item.name, "service_code": str(order.item_id),
        "description": description, "agency_responsible": order.unit.name,
        "service_notice": "", "requested_datetime": w3c(order.placed_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": w3c(order.preferred_at), "address": address,
        "address_id": str(site.id), "zipcode": "", "lat": lat, "long": lng, "media_url": "",
    }


def _requests(orders: list[Order], key: str | None) -> list[dict]:
    own: set[int] = set()
    if key is not None and orders:
        own = set(db.session.scalars(select(Open311Submission.order_id).where(
            Open311Submission.order_id.in_([o.id for o in orders]),
            Open311Submission.key_digest == _digest(key))))
    return [_request(o, own=o.id in own) for o in orders]


def _orders():
    return select(Order).options(selectinload(Order.site), selectinload(Order.unit),
                                 selectinload(Order.item), selectinload(Order.history))


def _changeset() -> str:
    latest = db.session.scalar(select(func.max(ServiceItem.created_at)))
    return w3c(max(FACE_CHANGED, as_utc(latest)) if latest is not None else FACE_CHANGED)


def _contact() -> str:
    if current_app.config["OPEN311_CONTACT"]:
        return current_app.config["OPEN311_CONTACT"]
    center = sites.center()
    if center is None:
        return ""
    return " ".join(part for part in (center.name, center.contact_name, center.contact_phone)
                    if part)


# ---- routes ----------------------------------------------------------------------------------


@bp.get(f"/discovery.{FORMAT}")
def discovery(fmt: str):
    changeset, contact = _changeset(), _contact()
    base = current_app.config["BASE_URL"].rstrip("/")
    return georeport.response(fmt, "discovery", {
        "changeset": changeset, "contact": contact,
        "key_service": str(_l("API keys for posting requests are issued by the district "
                              "administrator: %(contact)s", contact=contact)),
        "endpoints": [{"specification": SPECIFICATION, "url": f"{base}{PREFIX}/v2",
                       "changeset": changeset, "type": "production",
                       "formats": [georeport.MIMETYPES["xml"].split(";")[0],
                                   georeport.MIMETYPES["json"].split(";")[0]]}],
    })


@bp.get(f"/v2/services.{FORMAT}")
def services(fmt: str):
    items = db.session.scalars(select(ServiceItem).where(ServiceItem.is_active.is_(True))
                               .order_by(ServiceItem.id))
    return georeport.response(fmt, "services", [_service(i) for i in items])


@bp.get(f"/v2/services/<code>.{FORMAT}")
def service_definition(code: str, fmt: str):
    item = _item(code)
    return georeport.response(fmt, "service_definition",
                              {"service_code": str(item.id), "attributes": []})


def _remember_reporter(order: Order, key: str) -> None:
    db.session.add(Open311Submission(order_id=order.id, key_digest=_digest(key)))
    db.session.flush()


@bp.post(f"/v2/requests.{FORMAT}")
@csrf.exempt  # an API for other systems, authenticated by api_key, not a browser session
@limiter.limit(lambda: current_app.config["ORDERS_RATELIMIT"])
@limiter.limit(limits.limit("OPEN311_KEY_RATELIMIT"),
               key_func=lambda: "key:" + limits.digest(request.values.get("api_key", "")))
def create_request(fmt: str):
    key = _api_key(required=True)
    values = request.values
    item = _item(values.get("service_code"))
    lat, lng = _coordinates()
    address = values.get("address_string", "")
    site = item.site
    if values.get("address_id"):
        site_id = _row_id(values["address_id"])
        site = db.session.get(Site, site_id) if site_id is not None else None
        if site is None or not offered_at(item, site):
            raise ValidationError(_l("address_id is not a site offering this service."),
                                  "invalid_address_id", field="address_id")
    elif lat is None and not address.strip():
        raise ValidationError(_l("A location is required: lat and long, address_string or "
                                 "address_id."), "location_required")
    order = ops.place_order(site=site, item=item, phone=values.get("phone", "").strip(),
                            phone_optional=True, place=address,
                            note=values.get("description", ""), latitude=lat, longitude=lng,
                            channel="open311", actor="open311")
    _remember_reporter(order, key)
    return georeport.response(fmt, "service_requests", [
        {"service_request_id": order.number, "service_notice": "", "account_id": None}])


@bp.get(f"/v2/requests.{FORMAT}")
def list_requests(fmt: str):
    key = _api_key(required=False)
    stmt = _orders()
    ids = _listed("service_request_id")
    if ids:  # the other filters are ignored, as specified
        if len(ids) > LIMIT:
            raise ValidationError(_l("At most %(n)d service_request_id at once.", n=LIMIT),
                                  "too_many_ids", field="service_request_id")
        stmt = stmt.where(Order.number.in_([i for i in ids if ORDER_NUMBER.fullmatch(i)]))
    else:
        start, end = _date_range()
        stmt = stmt.where(Order.placed_at >= start, Order.placed_at <= end)
        codes = _listed("service_code")
        if codes:  # a code that names no service matches nothing, as an unknown one does
            stmt = stmt.where(Order.item_id.in_(
                [i for i in map(_row_id, codes) if i is not None]))
        statuses = set(_listed("status"))
        if statuses - {"open", "closed"}:
            raise ValidationError(_l("status must be open or closed."), "invalid_status",
                                  field="status")
        if statuses == {"open"}:
            stmt = stmt.where(Order.status.not_in(CLOSED))
        elif statuses == {"closed"}:
            stmt = stmt.where(Order.status.in_(CLOSED))
    orders = list(db.session.scalars(stmt.order_by(Order.placed_at.desc()).limit(LIMIT)))
    return georeport.response(fmt, "service_requests", _requests(orders, key))


@bp.get(f"/v2/requests/<request_id>.{FORMAT}")
def get_request(request_id: str, fmt: str):
    key = _api_key(required=False)
    if not ORDER_NUMBER.fullmatch(request_id):
        raise NotFound(_l("No such order."), "order_not_found")
    return georeport.response(fmt, "service_requests",
                              _requests([ops.get_order(request_id)], key))
