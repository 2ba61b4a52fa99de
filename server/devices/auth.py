"""Kiosk authentication: the bearer secret names the device; a revoked one is refused."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from sqlalchemy import update

from ..core.db import SAFE_METHODS, writing
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import operations as ops
from .actions import SEEN_RESOLUTION, checked, outbox_length
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


def authenticate() -> Device:
    """The kiosk the request's bearer secret names, as g.device; 401 device_unknown without a
    known secret, 403 device_revoked. A write request holds the kiosk's row lock to its end,
    so its writes never interleave with another request of the same kiosk."""
    write = request.method not in SAFE_METHODS
    device = checked(ops.device_for_secret(bearer_secret(), lock=write))
    _touch(device, write)
    g.device = device
    return device


def _touch(device: Device, write: bool) -> None:
    now = utcnow()
    version = request.headers.get("X-Kiosk-Version", "")[:32] or device.app_version
    outbox = outbox_length(request.headers.get("X-Kiosk-Outbox", ""))
    outbox = device.outbox_length if outbox is None else outbox
    seen = device.last_seen_at
    if seen is not None and now - as_utc(seen) < SEEN_RESOLUTION \
            and version == device.app_version and outbox == device.outbox_length:
        return
    if write:
        ops.record_contact(device, last_seen_at=now, app_version=version,
                           outbox_length=outbox)
        return
    # A read request begins a deferred SQLite transaction; upgrading it to write could fail
    # under load, so health goes through its own short write on a separate connection.
    with writing(), db.engine.begin() as connection:
        connection.execute(update(Device).where(Device.id == device.id)
                           .values(last_seen_at=now, app_version=version, outbox_length=outbox))
