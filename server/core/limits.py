"""Abuse limits: Flask-Limiter on a storage every worker shares, keys beyond the address, and
the audit entry of each breach.

Storage: `RATELIMIT_STORAGE_URI` (Redis by default, so gunicorn's workers and the hosts behind
one balancer count together; `memory://` only for a single process, set explicitly). Counters
live under `RATELIMIT_KEY_PREFIX` in Redis, so deployments (and test processes) sharing one
Redis never see each other's counts. A Redis that stops answering does not turn pages into
500s: the limiter falls back to per-process memory and tries Redis again (logged).

Keys: the client address (the default), and where an attacker can spread over addresses, the
thing attacked: a login name, a phone number, an Open311 key, a volunteer. Keys that hold
personal data (a phone) are hashed before they reach Redis.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Flask, current_app, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address

from ..extensions import db, limiter

log = logging.getLogger(__name__)


def configure(app: Flask) -> None:
    """Derive Flask-Limiter's settings from ours (called by create_app before init_app)."""
    cfg = app.config
    uri = cfg["RATELIMIT_STORAGE_URI"]
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options = dict(cfg.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("key_prefix", cfg["RATELIMIT_KEY_PREFIX"])
        options.setdefault("socket_timeout", 2)
        options.setdefault("socket_connect_timeout", 2)
        cfg["RATELIMIT_STORAGE_OPTIONS"] = options
        cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)


def limit(setting: str):
    """A limit string read from the app's settings when the request is checked."""
    return lambda: current_app.config[setting]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def by_address() -> str:
    return get_remote_address() or "unknown"


def by_form_field(name: str, *, normalize=lambda value: value.strip().lower()):
    """A key function: the named form field (hashed), else the client address."""

    def key() -> str:
        value = normalize(request.form.get(name, "") or "")[:200]
        return f"{name}:{digest(value)}" if value else by_address()

    return key


def phone_key(phone: str | None) -> str:
    """The key of a phone number as people type it (spaces, dashes, +86 ignored)."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return f"phone:{digest(digits)}" if digits else by_address()


def failed(response) -> bool:
    """deduct_when for a login form: only a refused password counts (401)."""
    return response.status_code == 401


def breached(request_limit: RequestLimit) -> None:
    """Flask-Limiter's on_breach: record the breach before the 429 is answered. The entry is
    committed at once, on the writer's path (the request's own work, which has not begun yet
    for a limit checked before the view, is rolled back by the error handler as usual)."""
    from .audit import record
    from .db import writing

    try:
        db.session.rollback()
        with writing():
            record("rate_limited", None, endpoint=request.endpoint or request.path,
                   method=request.method, limit=str(request_limit.limit))
            db.session.commit()
    except Exception:  # the 429 matters more than its record
        db.session.rollback()
        log.exception("could not record a rate limit breach")


def init_app(app: Flask) -> None:
    limiter.init_app(app)
