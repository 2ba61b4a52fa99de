"""Volunteers in JSON: masked in lists, and the OpenAPI schemas."""

from __future__ import annotations

from ..core import openapi
from .models import NAME_MAX, Volunteer
from .operations import SKILL_MAX, SKILLS_MAX, volunteer_code

VOLUNTEER = openapi.component("Volunteer", {
    "type": "object",
    "required": ["number", "name", "phone", "home_site_id", "is_active"],
    "properties": {
        "number": {"type": "string", "example": "ZH2024000001"},
        "name": {"type": "string"},
        "phone": {"type": "string", "description": "masked in lists: 138****5678"},
        "home_site_id": {"type": "integer"},
        "skills": {"type": "array", "items": {"type": "string"}},
        "is_active": {"type": "boolean"},
        "teams": {"type": "array", "items": {
            "type": "object", "properties": {"id": {"type": "integer"},
                                             "name": {"type": "string"},
                                             "is_leader": {"type": "boolean"}}}},
        "code_version": {"type": "integer", "nullable": True,
                         "description": "version of the live volunteer code"},
    },
})

VOLUNTEER_LIST = openapi.component("VolunteerList", {
    "type": "object",
    "required": ["volunteers", "total", "page", "per_page"],
    "properties": {"volunteers": {"type": "array", "items": VOLUNTEER},
                   "total": {"type": "integer"}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}},
})

VOLUNTEER_CREATE = openapi.component("VolunteerCreate", {
    "type": "object",
    "required": ["name", "phone", "home_site_id"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
        "phone": {"type": "string", "pattern": r"^1[3-9]\d{9}$",
                  "x-error-code": "invalid_phone"},
        "home_site_id": {"type": "integer"},
        "skills": {"type": "array", "maxItems": SKILLS_MAX,
                   "items": {"type": "string", "maxLength": SKILL_MAX}},
    },
    "additionalProperties": False,
})


def volunteer_out(volunteer: Volunteer, *, masked: bool = True) -> dict:
    code = volunteer_code(volunteer)
    return {
        "number": volunteer.number,
        "name": volunteer.name,
        "phone": volunteer.masked_phone if masked else volunteer.phone,
        "home_site_id": volunteer.home_site_id,
        "skills": list(volunteer.skills or []),
        "is_active": volunteer.is_active,
        "teams": [{"id": m.team_id, "name": m.team.name, "is_leader": m.is_leader}
                  for m in volunteer.memberships],
        "code_version": code.version if code else None,
    }
