"""The time bank in JSON: transfers, statements, balances and catalog items, with their schemas."""

from __future__ import annotations

from ..core import openapi
from ..core.timeutil import as_utc
from .models import ITEM_KINDS, SOURCE_TYPES, Item
from .statement import Statement

BALANCE = openapi.component("LedgerBalance", {
    "type": "object", "required": ["number", "balance", "minutes"],
    "properties": {"number": {"type": "string"}, "balance": {"type": "integer"},
                   "minutes": {"type": "integer", "description": "service minutes credited"}},
})

KIOSK_BALANCE = openapi.component("KioskBalance", {
    "type": "object", "required": ["number", "name", "balance"],
    "properties": {"number": {"type": "string"},
                   "name": {"type": "string", "description": "masked, as on the kiosk screen"},
                   "balance": {"type": "integer"}},
})
ENTRY = openapi.component("LedgerEntry", {
    "type": "object",
    "properties": {
        "transfer_id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
        "source": {"type": "string", "description": "e.g. shift:12, redemption:3"},
        "source_type": {"type": "string", "enum": list(SOURCE_TYPES)},
        "points": {"type": "integer", "description": "signed: credits +, debits -"},
        "minutes": {"type": "integer"}, "place": {"type": "string"}, "memo": {"type": "string"},
        "reversed": {"type": "boolean"},
    },
})

STATEMENT = openapi.component("LedgerStatement", {
    "type": "object", "required": ["number", "balance", "entries", "months"],
    "properties": {
        "number": {"type": "string"}, "balance": {"type": "integer"},
        "minutes": {"type": "integer"},
        "months": {"type": "array", "items": {"type": "object", "properties": {
            "month": {"type": "string"}, "minutes": {"type": "integer"},
            "earned": {"type": "integer"}, "spent": {"type": "integer"}}}},
        "entries": {"type": "array", "items": ENTRY},
    },
})

ITEM = openapi.component("CatalogItem", {
    "type": "object", "required": ["id", "site_id", "name", "kind", "cost_points"],
    "properties": {
        "id": {"type": "integer"}, "site_id": {"type": "integer"}, "name": {"type": "string"},
        "kind": {"type": "string", "enum": list(ITEM_KINDS)}, "description": {"type": "string"},
        "cost_points": {"type": "integer"},
        "stock": {"type": "integer", "nullable": True, "description": "null: unlimited"},
        "is_active": {"type": "boolean"},
    },
})

CATALOG = openapi.component("Catalog", {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": ITEM}},
})


def item_out(item: Item) -> dict:
    return {"id": item.id, "site_id": item.site_id, "name": item.name, "kind": item.kind,
            "description": item.description, "cost_points": item.cost_points,
            "stock": item.stock, "is_active": item.is_active}


def statement_out(book: Statement) -> dict:
    return {
        "number": book.volunteer.number, "balance": book.balance, "minutes": book.minutes,
        "months": [{"month": m.month, "minutes": m.minutes, "earned": m.earned,
                    "spent": m.spent} for m in book.months],
        "entries": [{"transfer_id": e.transfer.id, "at": as_utc(e.at).isoformat(),
                     "source": e.transfer.source, "source_type": e.transfer.source_type,
                     "points": e.points, "minutes": e.minutes, "place": e.place,
                     "memo": e.transfer.memo, "reversed": e.is_reversed}
                    for e in book.entries],
    }
