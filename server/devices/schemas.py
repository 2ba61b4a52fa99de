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
    "properties": {"code": {"type": "string", "maxLength": 2000, "minLength": 1,
                            "x-error-code": "invalid_code",
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

KIOSK_CHANGES = openapi.component("KioskChanges", {
    "type": "object", "required": ["revocation_cursor", "volunteer_cursor"],
    "properties": {"revocation_cursor": {"type": "integer", "minimum": 0},
                   "volunteer_cursor": {"type": "integer", "minimum": 0},
                   "on_shift": {"type": "array", "description": "who is signed in at the "
                                "kiosk's site, and since when (from the shifts feature)",
                                "items": {"type": "object", "required": ["number", "started_at"],
                                          "properties": {
                                              "number": {"type": "string"},
                                              "started_at": {"type": "string",
                                                             "format": "date-time"}}}}},
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

# Each action is answered on its own (the view is documented with apart="actions"): one
# refused for its content is a refusal in the answers, never a refusal of the batch.
ACTION = openapi.component("KioskAction", {
    "type": "object", "required": ["key", "kind", "client_time", "body"],
    "properties": {"key": {"type": "string", "minLength": 1, "maxLength": 64},
                   "kind": {"type": "string", "maxLength": 32, "example": "sign"},
                   "client_time": {"type": "string", "format": "date-time"},
                   "body": {"type": "object", "description": "the kind's own body"}},
})

ACTIONS_IN = openapi.component("KioskActionBatch", {
    "type": "object", "required": ["actions"],
    "properties": {
        "actions": {"type": "array", "maxItems": 500, "items": ACTION,
                    "x-error-code": "invalid_actions"},
        "sent_at": {"type": "string", "maxLength": 40,
                    "description": "the kiosk's clock when sending, ISO 8601 with an offset "
                                   "(a time that cannot be read is ignored)"},
        "clock_offset_ms": {"type": "integer", "minimum": -10**12, "maximum": 10**12,
                            "description": "kiosk clock minus server clock, as measured"},
        "outbox": {"type": "integer", "minimum": 0,
                   "description": "actions waiting in the kiosk's outbox, this batch included "
                                  "(also sent on any request as the X-Kiosk-Outbox header)"},
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


# The bodies of the kiosk's action kinds, checked action by action (devices.actions): what a
# kiosk scanned is text; ids and counts are PostgreSQL integers (edge.bounded).
SCANNED = {"type": "string", "maxLength": 2000, "description": "the scanned code's text"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def action_body(kind: str, properties: dict) -> dict:
    return openapi.component(f"KioskBody_{kind}", {"type": "object",
                                                   "properties": properties})


def site_brief(site) -> dict:
    return {"id": site.id, "name": site.name, "address": site.address}
