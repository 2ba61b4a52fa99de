"""Codes, keys and revocations in JSON, with their OpenAPI schemas."""

from __future__ import annotations

from ..core import openapi
from ..core.timeutil import as_utc
from ..sites import schemas as _site_schemas  # noqa: F401  (registers the Site schema)
from .models import CodeRevocation, ServiceCode
from .operations import code_url


def _iso(value):
    return as_utc(value).isoformat() if value is not None else None


KEYS = openapi.component("Keyring", {
    "type": "object",
    "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {
        "type": "object",
        "required": ["kid", "kty", "crv", "x"],
        "properties": {"kid": {"type": "string"}, "kty": {"type": "string", "enum": ["OKP"]},
                       "crv": {"type": "string", "enum": ["Ed25519"]},
                       "x": {"type": "string", "description": "base64url raw public key"},
                       "retired": {"type": "boolean"}},
    }}},
})

REVOCATIONS = openapi.component("Revocations", {
    "type": "object",
    "required": ["revocations", "cursor", "more"],
    "properties": {
        "revocations": {"type": "array", "items": {
            "type": "object",
            "required": ["cursor", "code_id", "revoked_at"],
            "properties": {"cursor": {"type": "integer"},
                           "code_id": {"type": "string", "example": "point:42:3"},
                           "revoked_at": {"type": "string", "format": "date-time"}},
        }},
        "cursor": {"type": "integer", "description": "pass as ?since= next time"},
        "more": {"type": "boolean", "description": "true when another page is waiting"},
    },
})

CODE = openapi.component("ServiceCode", {
    "type": "object",
    "required": ["code_id", "type", "subject", "version", "url", "is_live"],
    "properties": {
        "code_id": {"type": "string"}, "type": {"type": "string"},
        "subject": {"type": "string"}, "version": {"type": "integer"},
        "site_id": {"type": "integer", "nullable": True},
        "short_code": {"type": "string", "nullable": True},
        "url": {"type": "string"}, "key_id": {"type": "string"},
        "issued_at": {"type": "string", "format": "date-time"},
        "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
        "is_live": {"type": "boolean"},
        "site": openapi.ref("Site"),
    },
})

RESOLVE_IN = openapi.component("ResolveRequest", {
    "type": "object", "required": ["text"],
    "properties": {"text": {"type": "string", "maxLength": 2000,
                            "description": "what was scanned: the URL or the bare token"},
                   "type": {"type": "string", "description": "the code type expected"}},
})

REASON_IN = openapi.component("Reason", {
    "type": "object", "required": ["reason"],
    "properties": {"reason": {"type": "string", "maxLength": 200}},
})

ROTATE_IN = openapi.component("RotateReason", {
    "type": "object",
    "properties": {"reason": {"type": "string", "maxLength": 200,
                              "description": "default: rotated"}},
})


def code_out(code: ServiceCode) -> dict:
    return {"code_id": code.code_id, "type": code.type, "subject": code.subject,
            "version": code.version, "site_id": code.site_id, "short_code": code.short_code,
            "url": code_url(code), "key_id": code.key_id, "issued_at": _iso(code.issued_at),
            "revoked_at": _iso(code.revoked_at), "is_live": code.revoked_at is None}


def revocation_out(entry: CodeRevocation) -> dict:
    return {"cursor": entry.id, "code_id": entry.code_id, "revoked_at": _iso(entry.revoked_at)}
