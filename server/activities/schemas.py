"""Activities in JSON, with their OpenAPI schemas."""

from __future__ import annotations

from ..core import openapi
from ..core.timeutil import as_utc
from ..orders.models import BRANDS, CONTENT_AREAS
from .models import SIGNUP_STATES

ACTIVITY = openapi.component("Activity", {
    "type": "object",
    "required": ["id", "title", "brand", "content_area", "site", "starts_at", "ends_at",
                 "status"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "brand": {"type": "string", "enum": list(BRANDS)},
        "content_area": {"type": "string", "enum": list(CONTENT_AREAS)},
        "site": {"type": "object", "properties": {"id": {"type": "integer"},
                                                   "name": {"type": "string"},
                                                   "address": {"type": "string"}}},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "integer", "nullable": True},
        "places_left": {"type": "integer", "nullable": True},
        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
        "is_public": {"type": "boolean"},
        "theme": {"type": "string", "nullable": True},
        "project": {"type": "string", "nullable": True},
        "honoree": {"type": "string", "nullable": True},
        "team": {"type": "string", "nullable": True},
        "description": {"type": "string"},
        "url": {"type": "string"},
    },
})

ACTIVITY_LIST = openapi.component("ActivityList", {
    "type": "object", "required": ["activities"],
    "properties": {"activities": {"type": "array", "items": ACTIVITY}},
})

SIGNUP = openapi.component("ActivitySignup", {
    "type": "object", "required": ["id", "activity_id", "status"],
    "properties": {"id": {"type": "integer"}, "activity_id": {"type": "integer"},
                   "status": {"type": "string", "enum": list(SIGNUP_STATES)},
                   "waitlist_position": {"type": "integer", "nullable": True},
                   "promoted": {"type": "integer", "nullable": True,
                                "description": "the sign-up promoted into a freed place"}},
})

TALLY = {"type": "object", "properties": {
    "activities": {"type": "integer"}, "held": {"type": "integer"},
    "volunteer_attendances": {"type": "integer"}, "resident_registrations": {"type": "integer"},
    "participants": {"type": "integer"}, "hours": {"type": "number"}}}

STATS = openapi.component("RhythmCounts", {
    "type": "object", "required": ["total", "by_brand", "by_area", "by_unit", "by_month"],
    "properties": {"site_id": {"type": "integer"}, "from": {"type": "string"},
                   "to": {"type": "string"}, "total": TALLY,
                   "by_brand": {"type": "object", "additionalProperties": TALLY},
                   "by_area": {"type": "object", "additionalProperties": TALLY},
                   "by_unit": {"type": "object", "additionalProperties": TALLY},
                   "by_month": {"type": "object", "additionalProperties": TALLY},
                   "claims": {"type": "array", "items": {"type": "object", "properties": {
                       "month": {"type": "string"}, "claims": {"type": "integer"},
                       "delivered": {"type": "integer"}, "dropped": {"type": "integer"},
                       "percent": {"type": "integer", "nullable": True}}}}},
})

HONOREE_BRIEF = {"type": "object", "required": ["id", "name", "category", "story", "year"],
                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                "category": {"type": "string"}, "title": {"type": "string"},
                                "story": {"type": "string"}, "year": {"type": "integer"},
                                "unit": {"type": "string"},
                                "photo_url": {"type": "string", "nullable": True},
                                "photo_digest": {"type": "string", "nullable": True}}}

KIOSK_IDLE = openapi.component("KioskIdle", {
    "type": "object", "required": ["site_id", "activities", "honorees", "generated_at"],
    "properties": {
        "site_id": {"type": "integer"},
        "theme": {"type": "object", "nullable": True, "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "month": {"type": "string"}}},
        "activities": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "when": {"type": "string", "description": "local, for the screen"},
            "place": {"type": "string"}, "brand": {"type": "string"},
            "places_left": {"type": "integer", "nullable": True}}}},
        "honorees": {"type": "array", "items": HONOREE_BRIEF},
        "generated_at": {"type": "string", "format": "date-time"},
        "rotate_seconds": {"type": "integer"},
    },
})


def iso(value) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def activity_out(activity, *, places_left: int | None = None, url: str = "") -> dict:
    return {
        "id": activity.id, "title": activity.title, "brand": activity.brand,
        "content_area": activity.content_area,
        "site": {"id": activity.site.id, "name": activity.site.name,
                 "address": activity.site.address},
        "starts_at": iso(activity.starts_at), "ends_at": iso(activity.ends_at),
        "capacity": activity.capacity, "places_left": places_left,
        "status": activity.status, "is_public": activity.is_public,
        "theme": activity.theme.title if activity.theme else None,
        "project": activity.project.name if activity.project else None,
        "honoree": activity.honoree.name if activity.honoree else None,
        "team": activity.team.name if activity.team else None,
        "description": activity.description, "url": url,
    }


def tally_out(tally) -> dict:
    return {"activities": tally.activities, "held": tally.held,
            "volunteer_attendances": tally.volunteer_attendances,
            "resident_registrations": tally.resident_registrations,
            "participants": tally.participants, "hours": tally.hours}
