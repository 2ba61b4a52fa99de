"""Kiosk authentication: the bearer secret names the device; a revoked one is refused."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from sqlalchemy import update

from ..core.db import SAFE_METHODS
from ..core.errors import Forbidden, Unauthorized
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import operations as ops
from .models import Device


def current_device():
    return g.get("device")


def device_required(view):
    """Sets g.device (authenticate()) before the view runs."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        authenticate()
        return view(*args, **kwargs)

    return wrapped


def bearer_secret() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def authenticate(found: Device | None = None) -> Device:
    """The kiosk the request's bearer secret names, as g.device; 401 device_unknown without a
    known secret, 403 device_revoked. A write request holds the kiosk's row lock to its end, so
    its batches never interleave; a view that rolls back calls this again to retake it.
    `found`: the kiosk already read (and locked) by the caller with bearer_secret()."""
    device = found
    if device is None:
        device = ops.device_for_secret(bearer_secret(), lock=request.method not in SAFE_METHODS)
    if device is None:
        raise Unauthorized(_l("This kiosk is not enrolled. Scan an enrollment code."),
                           "device_unknown")
    if device.revoked_at is not None:
        raise Forbidden(_l("This kiosk has been revoked by an administrator."),
                        "device_revoked", details={"reason": device.revoke_reason})
    _touch(device)
    g.device = device
    return device


def _touch(device: Device) -> None:
    now = utcnow()
    version = request.headers.get("X-Kiosk-Version", "")[:32] or device.app_version
    seen = device.last_seen_at
    # Health to the minute is enough for the dashboard; a busy kiosk is not rewritten each time.
    if seen is not None and (now - as_utc(seen)).total_seconds() < 60 \
            and version == device.app_version:
        return
    if request.method not in SAFE_METHODS:
        ops.record_contact(device, last_seen_at=now, app_version=version)
        return
    # A read request begins a deferred SQLite transaction; upgrading it to write could fail
    # under load, so health goes through its own short write on a separate connection.
    with db.engine.begin() as connection:
        connection.execute(update(Device).where(Device.id == device.id)
                           .values(last_seen_at=now, app_version=version))
