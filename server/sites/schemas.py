"""Sites in JSON: one shape out, the accepted fields in, and their OpenAPI schemas."""

from __future__ import annotations

from ..core import openapi
from .models import ADDRESS_MAX, CONTACT_MAX, NAME_MAX, Site, SiteKind

KINDS = [k.value for k in SiteKind]

SITE = openapi.component("Site", {
    "type": "object",
    "required": ["id", "kind", "name", "parent_id", "is_active"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": KINDS},
        "name": {"type": "string"},
        "parent_id": {"type": "integer", "nullable": True},
        "address": {"type": "string"},
        "latitude": {"type": "number", "nullable": True},
        "longitude": {"type": "number", "nullable": True},
        "contact_name": {"type": "string"},
        "contact_phone": {"type": "string"},
        "is_active": {"type": "boolean"},
        "path": {"type": "array", "items": {"type": "integer"},
                 "description": "ids from the center down to this site"},
        "children": {"type": "integer", "description": "number of direct children"},
    },
})

_EDITABLE = {
    "name": {"type": "string", "maxLength": NAME_MAX, "minLength": 1},
    "address": {"type": "string", "maxLength": ADDRESS_MAX},
    "latitude": {"type": "number", "nullable": True, "minimum": -90, "maximum": 90},
    "longitude": {"type": "number", "nullable": True, "minimum": -180, "maximum": 180},
    "contact_name": {"type": "string", "maxLength": CONTACT_MAX},
    "contact_phone": {"type": "string", "maxLength": CONTACT_MAX},
}

SITE_CREATE = openapi.component("SiteCreate", {
    "type": "object",
    "required": ["kind", "name"],
    "properties": {"kind": {"type": "string", "enum": KINDS},
                   "parent_id": {"type": "integer", "nullable": True}, **_EDITABLE},
    "additionalProperties": False,
})

SITE_UPDATE = openapi.component("SiteUpdate", {
    "type": "object", "properties": dict(_EDITABLE), "additionalProperties": False,
    "x-error-code": "not_editable",
})

SITE_LIST = openapi.component("SiteList", {
    "type": "object",
    "required": ["sites"],
    "properties": {"sites": {"type": "array", "items": SITE}},
})


def site_out(site: Site, *, children: int | None = None) -> dict:
    data = {
        "id": site.id,
        "kind": site.kind,
        "name": site.name,
        "parent_id": site.parent_id,
        "address": site.address,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "contact_name": site.contact_name,
        "contact_phone": site.contact_phone,
        "is_active": site.is_active,
        "path": site.ancestor_ids + [site.id],
    }
    if children is not None:
        data["children"] = children
    return data
