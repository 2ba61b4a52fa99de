"""Kiosk API shapes and their OpenAPI schemas."""

from __future__ import annotations

from ..core import openapi

_OBJ = {"type": "object"}

SITE_BRIEF = openapi.component("KioskSite", {
    "type": "object", "required": ["id", "name", "address"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "address": {"type": "string"}},
})

ENROLL_IN = openapi.component("KioskEnrollRequest", {
    "type": "object", "required": ["code"],
    "properties": {"code": {"type": "string", "maxLength": 2000,
                            "description": "the scanned enrollment code (URL or token)"},
                   "name": {"type": "string", "maxLength": 64},
                   "app_version": {"type": "string", "maxLength": 32}},
})

ENROLLED = openapi.component("KioskEnrolled", {
    "type": "object",
    "required": ["device_id", "secret", "presence_secret", "site", "base_url", "keys",
                 "revocation_cursor", "server_time_ms"],
    "properties": {
        "device_id": {"type": "integer"},
        "secret": {"type": "string", "description": "bearer token; shown once"},
        "presence_secret": {"type": "string", "description": "base64url HMAC key"},
        "site": SITE_BRIEF, "base_url": {"type": "string"},
        "keys": {"type": "array", "items": _OBJ},
        "revocation_cursor": {"type": "integer"}, "server_time_ms": {"type": "integer"},
    },
})

KIOSK_STATE = openapi.component("KioskState", {
    "type": "object", "required": ["server_time_ms", "device", "site"],
    "properties": {"server_time_ms": {"type": "integer"},
                   "device": {"type": "object", "properties": {
                       "id": {"type": "integer"}, "name": {"type": "string"},
                       "revoked": {"type": "boolean"}}},
                   "site": SITE_BRIEF},
})

KIOSK_VOLUNTEERS = openapi.component("KioskVolunteers", {
    "type": "object", "required": ["volunteers", "cursor", "full"],
    "properties": {
        "volunteers": {"type": "array", "items": {
            "type": "object", "required": ["number", "name", "code_version", "active"],
            "properties": {"number": {"type": "string"},
                           "name": {"type": "string", "description": "masked"},
                           "code_version": {"type": "integer", "nullable": True},
                           "active": {"type": "boolean"}}}},
        "cursor": {"type": "integer", "description": "pass as ?since= next time"},
        "full": {"type": "boolean", "description": "true: replace the cache; false: upsert"},
    },
})

ACTIONS_IN = openapi.component("KioskActionBatch", {
    "type": "object", "required": ["actions"],
    "properties": {
        "actions": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "required": ["key", "kind", "client_time", "body"],
            "properties": {"key": {"type": "string", "maxLength": 64},
                           "kind": {"type": "string", "example": "sign"},
                           "client_time": {"type": "string", "format": "date-time"},
                           "body": _OBJ}}},
        "sent_at": {"type": "string", "format": "date-time",
                    "description": "the kiosk's clock when sending"},
        "clock_offset_ms": {"type": "integer",
                            "description": "kiosk clock minus server clock, as measured"},
    },
})

ACTIONS_OUT = openapi.component("KioskActionAnswers", {
    "type": "object", "required": ["answers", "server_time_ms"],
    "properties": {
        "answers": {"type": "array", "items": {
            "type": "object", "required": ["key", "status"],
            "properties": {"key": {"type": "string", "nullable": True},
                           "status": {"type": "integer", "description": "200 or a 4xx refusal"},
                           "result": _OBJ, "error": _OBJ}}},
        "server_time_ms": {"type": "integer"},
    },
})


def site_brief(site) -> dict:
    return {"id": site.id, "name": site.name, "address": site.address}
