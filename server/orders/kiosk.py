"""Kiosk actions for orders: `order` (点单 on the touchscreen), `complete` and `rate` (after
reading the resident's order code). Registered with devices.actions at start-up."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from ..codes.operations import code_url
from ..core.errors import ValidationError
from ..core.i18n import _l
from ..extensions import db
from ..sites.models import Site
from . import operations as ops
from .menu import get_item
from .states import STATUS_LABELS


def _order_out(order, *, receipt: bool = False) -> dict:
    """The order as the kiosk sees it. The receipt link only to the kiosk where it was placed:
    completing or rating by the code hands no receipt rights to anyone at the screen."""
    code = ops.order_code(order)
    out = {"number": order.number, "status": order.status,
           "status_label": str(STATUS_LABELS[order.status]),
           "service": order.item.name, "site_id": order.site_id,
           "code_url": code_url(code) if code is not None else None}
    if receipt:
        out["receipt_url"] = url_for("orders_mobile.receipt", token=ops.receipt_token(order),
                                     _external=True)
    return out


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError(_l("%(f)s is missing.", f=name), "invalid_body", field=name)
    return value


def order_action(device, body: dict, client_time: datetime, clock_skewed: bool) -> dict:
    """body: {"item_id", "phone", "place"?, "note"?, "preferred_at"?}; the site is the kiosk's."""
    item = get_item(body.get("item_id"))
    site = db.session.get(Site, device.site.id)  # the kiosk's record carries a SiteRef
    order = ops.place_order(site=site, item=item, phone=body.get("phone"),
                            place=body.get("place", ""), note=body.get("note", ""),
                            preferred_at=body.get("preferred_at"), channel="kiosk",
                            device=device, actor=device)
    return _order_out(order, receipt=True)


def complete_action(device, body: dict, client_time: datetime, clock_skewed: bool) -> dict:
    """body: {"code": scanned order code}. Offline completions keep their original time."""
    order = ops.order_from_code(_text(body, "code"), source=f"kiosk {device.id}")
    ops.complete(order, via="code_kiosk", actor=device,
                 at=None if clock_skewed else client_time)
    return _order_out(order)


def rate_action(device, body: dict, client_time: datetime, clock_skewed: bool) -> dict:
    """body: {"code": scanned order code, "stars": 1–5, "tags"?: [str], "comment"?: str}.
    Only an order code rates: a volunteer's card is refused as the wrong kind of code."""
    order = ops.order_from_code(_text(body, "code"), source=f"kiosk {device.id}")
    rating = ops.rate(order, stars=body.get("stars"), tags=body.get("tags"),
                      comment=body.get("comment", ""), channel="kiosk")
    return {**_order_out(order), "stars": rating.stars, "flagged": order.is_flagged}


def register_actions() -> None:
    from ..devices.actions import register
    from ..devices.schemas import ID, SCANNED, action_body

    text = {"type": "string"}
    register("order", order_action, schema=action_body("order", {
        "item_id": ID, "phone": text, "place": text, "note": text,
        "preferred_at": {"type": "string", "nullable": True, "maxLength": 40}}))
    register("complete", complete_action, schema=action_body("complete", {"code": SCANNED}))
    register("rate", rate_action, schema=action_body("rate", {
        "code": SCANNED, "stars": {"type": "integer"}, "tags": {"type": "array", "nullable": True,
                                                               "items": text},
        "comment": {"type": "string", "nullable": True}}))
