"""Kiosk JSON endpoints for orders: this site's menu, and the status behind a scanned order code."""

from __future__ import annotations

from flask import Blueprint, request

from ..core import openapi
from ..core.api import error_responses
from ..core.openapi import API_PREFIX, documented
from ..devices.auth import current_device, device_required
from . import operations as ops
from .menu import menu_for
from .schemas import MENU, item_out
from .states import STATUS_LABELS

bp = Blueprint("orders_kiosk_api", __name__, url_prefix=API_PREFIX + "/kiosk")

ORDER_STATUS = openapi.component("KioskOrderStatus", {
    "type": "object", "required": ["number", "status", "service"],
    "properties": {"number": {"type": "string"}, "status": {"type": "string"},
                   "status_label": {"type": "string"}, "service": {"type": "string"}},
})


@bp.get("/menu")
@device_required
@documented("The service menu at this kiosk's site, cached by the kiosk for 点单 offline",
            responses={200: ("the menu", MENU), **error_responses(401, 403)},
            tags=("kiosk", "orders"), security="kiosk")
def menu():
    site = current_device().site
    return {"site_id": site.id, "items": [item_out(i) for i in menu_for(site)]}


@bp.get("/order-status")
@device_required
@documented("What a scanned order code's order is waiting for (completion or a rating). "
            "Takes the scanned code, not the number, so a kiosk cannot list orders; no phone.",
            query={"code": {"type": "string"}},
            responses={200: ("status", ORDER_STATUS), **error_responses(400, 401, 403, 404)},
            tags=("kiosk", "orders"), security="kiosk")
def order_status():
    device = current_device()
    order = ops.order_from_code(request.args.get("code", "")[:2000],
                                source=f"kiosk {device.id}")
    return {"number": order.number, "status": order.status,
            "status_label": str(STATUS_LABELS[order.status]), "service": order.item.name}
