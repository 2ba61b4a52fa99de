"""Orders and menu items in JSON, with their OpenAPI schemas."""

from __future__ import annotations

from ..core import openapi
from ..core.timeutil import as_utc
from .models import BRANDS, CONTENT_AREAS, STATUSES, Order, ServiceItem


def iso(value):
    return as_utc(value).isoformat() if value is not None else None


ITEM = openapi.component("ServiceItem", {
    "type": "object",
    "required": ["id", "name", "content_area", "brand", "expected_minutes", "site_id"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "description": {"type": "string"},
        "content_area": {"type": "string", "enum": list(CONTENT_AREAS)},
        "brand": {"type": "string", "enum": list(BRANDS)},
        "expected_minutes": {"type": "integer"}, "site_id": {"type": "integer"},
        "team_id": {"type": "integer", "nullable": True},
    },
})

MENU = openapi.component("ServiceMenu", {
    "type": "object", "required": ["site_id", "items"],
    "properties": {"site_id": {"type": "integer"}, "items": {"type": "array", "items": ITEM}},
})

ORDER = openapi.component("ServiceOrder", {
    "type": "object",
    "required": ["number", "status", "site_id", "item_id", "placed_at"],
    "properties": {
        "number": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)},
        "site_id": {"type": "integer"}, "unit_site_id": {"type": "integer"},
        "item_id": {"type": "integer"}, "service": {"type": "string"},
        "phone": {"type": "string", "description": "masked: 138****5678"},
        "team_id": {"type": "integer", "nullable": True},
        "volunteer_number": {"type": "string", "nullable": True},
        "is_pool": {"type": "boolean"}, "is_flagged": {"type": "boolean"},
        "placed_at": {"type": "string", "format": "date-time"},
        "dispatched_at": {"type": "string", "format": "date-time", "nullable": True},
        "accepted_at": {"type": "string", "format": "date-time", "nullable": True},
        "completed_at": {"type": "string", "format": "date-time", "nullable": True},
        "waited_minutes": {"type": "integer", "description": "since placed, until accepted"},
    },
})

ORDER_LIST = openapi.component("ServiceOrderList", {
    "type": "object", "required": ["orders"],
    "properties": {"orders": {"type": "array", "items": ORDER}},
})

REJECT_IN = openapi.component("OrderReject", {
    "type": "object", "required": ["reason"],
    "properties": {"reason": {"type": "string", "maxLength": 200}},
})

DISPATCH_IN = openapi.component("OrderDispatch", {
    "type": "object",
    "properties": {"team_id": {"type": "integer", "nullable": True},
                   "volunteer_number": {"type": "string", "nullable": True},
                   "pool": {"type": "boolean"}},
})


def item_out(item: ServiceItem) -> dict:
    return {"id": item.id, "name": item.name, "description": item.description,
            "content_area": item.content_area, "brand": item.brand,
            "expected_minutes": item.expected_minutes, "site_id": item.site_id,
            "team_id": item.team_id}


def waited_minutes(order: Order, now) -> int:
    end = order.accepted_at or (order.closed_at if order.status == "cancelled" else None) or now
    return max(0, int((as_utc(end) - as_utc(order.placed_at)).total_seconds() // 60))


def order_out(order: Order, now) -> dict:
    return {"number": order.number, "status": order.status, "site_id": order.site_id,
            "unit_site_id": order.unit_site_id, "item_id": order.item_id,
            "service": order.item.name, "phone": order.masked_phone, "team_id": order.team_id,
            "volunteer_number": order.volunteer.number if order.volunteer else None,
            "is_pool": order.is_pool, "is_flagged": order.is_flagged,
            "placed_at": iso(order.placed_at), "dispatched_at": iso(order.dispatched_at),
            "accepted_at": iso(order.accepted_at), "completed_at": iso(order.completed_at),
            "waited_minutes": waited_minutes(order, now)}
