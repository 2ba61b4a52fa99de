"""Kiosk enrollment, authentication, revocation, health and the volunteer feed. They flush."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..codes import operations as codes
from ..codes.keys import derived_fernet
from ..codes.models import ServiceCode
from ..core import audit
from ..core.db import read_apart
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.hot import Hot, adopt, columns_of
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..shifts.models import KioskAction
from ..sites.models import Site
from ..volunteers.models import Volunteer
from .models import Device, Enrollment, VolunteerChange

ENROLLMENT_MINUTES = 15
REASON_MAX = 200
# The feed's cursor stays this far behind the newest change so a slow transaction that commits
# a lower id after a faster one is still sent next time (kiosks upsert, so repeats are harmless).
FEED_LAG = timedelta(seconds=10)
_PURPOSE = b"wenming device presence secrets v1"


class DeviceRefused(DomainError):
    status = 410


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_enrollment(site: Site, *, actor=None) -> tuple[Enrollment, ServiceCode]:
    """A one-time code a new kiosk scans to pair with `site`."""
    if not site.is_active:
        raise ValidationError(_l("A deactivated site cannot get kiosks."), "site_inactive")
    expires = utcnow().replace(microsecond=0) + timedelta(minutes=ENROLLMENT_MINUTES)
    enrollment = Enrollment(site_id=site.id, expires_at=expires,
                            created_by_user_id=getattr(actor, "id", None))
    db.session.add(enrollment)
    db.session.flush()
    code = codes.issue("enrollment", str(enrollment.id), site=site, expires_at=expires,
                       actor=actor)
    audit.record("device.enrollment", site, actor=actor, enrollment_id=enrollment.id)
    return enrollment, code


def enroll(text: str, *, name: str = "", app_version: str = "") -> tuple[Device, str, bytes]:
    """Pair a kiosk: (device, bearer secret, presence secret). The code works once."""
    code = codes.resolve(text, expected_type="enrollment", source="kiosk")
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.id == int(code.subject)).with_for_update())
    if enrollment is None:
        raise NotFound(_l("This enrollment code is not on record."), "enrollment_unknown")
    if enrollment.used_at is not None:
        raise DeviceRefused(_l("This enrollment code was already used. Make a new one."),
                            "enrollment_used")
    if as_utc(enrollment.expires_at) < utcnow():
        raise DeviceRefused(_l("This enrollment code has expired. Make a new one."),
                            "code_expired")
    if not enrollment.site.is_active:
        raise ValidationError(_l("A deactivated site cannot get kiosks."), "site_inactive")
    secret = secrets.token_urlsafe(32)
    presence = secrets.token_bytes(32)
    device = Device(site_id=enrollment.site_id, name=(name or "")[:64],
                    app_version=(app_version or "")[:32], secret_hash=hash_secret(secret),
                    presence_secret_encrypted=derived_fernet(_PURPOSE).encrypt(presence).decode(),
                    last_seen_at=utcnow())
    db.session.add(device)
    db.session.flush()
    enrollment.used_at = utcnow()
    enrollment.device_id = device.id
    codes.revoke(code, "used", actor=f"kiosk {device.id}")
    audit.record("device.enroll", device, actor=f"kiosk {device.id}", site_id=device.site_id)
    return device, secret, presence


def presence_secret(device: Device) -> bytes:
    return derived_fernet(_PURPOSE).decrypt(device.presence_secret_encrypted.encode())


# Every kiosk request runs one of these: the kiosk and its site in one row, the secret's hash
# bound at execution. SET of the UPDATE takes the columns given at execution.
_DEVICE_COLUMNS, _SITE_COLUMNS = columns_of(Device), columns_of(Site)
# The kiosk with its site, by the secret's hash: a query may add columns and joins to it and
# hand its rows to device_from_row().
KIOSK_BY_SECRET = (select(*_DEVICE_COLUMNS, *_SITE_COLUMNS)
                   .join_from(Device, Site, Device.site_id == Site.id)
                   .where(Device.secret_hash == bindparam("secret_hash")))
KIOSK_WIDTH = len(_DEVICE_COLUMNS) + len(_SITE_COLUMNS)
_BY_SECRET = Hot(KIOSK_BY_SECRET)
_BY_SECRET_LOCKED = Hot(KIOSK_BY_SECRET.with_for_update(of=Device.__table__, key_share=True))
_UPDATE_DEVICE = Hot(update(Device.__table__)
                     .where(Device.__table__.c.id == bindparam("device_id")))


def device_for_secret(secret: str, *, lock: bool = False) -> Device | None:
    """The kiosk with this bearer secret, with its site. `lock` takes its row lock (FOR NO KEY
    UPDATE): a kiosk's writes then run one at a time, and a retried batch waits for the
    original; it does not block the foreign-key checks (KEY SHARE) of rows that name it."""
    if not secret:
        return None
    params = {"secret_hash": hash_secret(secret)}
    row = kiosk_row(_BY_SECRET, _BY_SECRET_LOCKED, params) if lock \
        else _BY_SECRET.first(params)
    return None if row is None else device_from_row(row)


def kiosk_row(statement: Hot, locked: Hot, params: dict) -> tuple | None:
    """The first row of a query built on KIOSK_BY_SECRET, for a write request that holds the
    kiosk to its end. SQLite: writers run one at a time anyway, so `statement` reads it before
    the request's write transaction (and turn) begins; PostgreSQL: `locked`, in it."""
    with read_apart() as connection:
        if connection is not None:
            return statement.first(params, connection=connection)
    return locked.first(params)


def device_from_row(row) -> Device:
    """The kiosk (with its site) from the first KIOSK_WIDTH values of a KIOSK_BY_SECRET row."""
    split = len(_DEVICE_COLUMNS)
    device = adopt(Device, row[:split])
    if "site" not in device.__dict__:  # as joinedload would: loaded, and held by the device
        set_committed_value(device, "site", adopt(Site, row[split:KIOSK_WIDTH]))
    return device


def record_contact(device: Device, **columns) -> None:
    """Write health columns (last_seen_at, app_version, clock_offset_ms) with one plain UPDATE,
    and keep the loaded object in step: cheaper than a flush on every kiosk write."""
    _UPDATE_DEVICE.rows({"device_id": device.id, **columns})
    for name, value in columns.items():
        set_committed_value(device, name, value)


def revoke(device: Device, reason: str, *, actor=None) -> Device:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_l("Say why the kiosk is revoked."), "reason_required",
                              field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_l("The reason is too long (at most %(n)d characters).",
                                 n=REASON_MAX), "too_long", field="reason")
    device = db.session.scalar(select(Device).where(Device.id == device.id).with_for_update())
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoke_reason = reason
        audit.record("device.revoke", device, actor=actor, reason=reason)
    return device


def site_devices(site: Site) -> list[Device]:
    return list(db.session.scalars(
        select(Device).where(Device.site_id == site.id).order_by(Device.id)))


def refused_counts(devices: list[Device]) -> dict[int, int]:
    ids = [d.id for d in devices]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(KioskAction.device_id, func.count()).where(
            KioskAction.device_id.in_(ids), KioskAction.status >= 400)
        .group_by(KioskAction.device_id)).all())


def volunteer_feed(since: int) -> tuple[list[dict], int, bool]:
    """(entries, next cursor, full): every volunteer when since is 0, else those changed."""
    settled = db.session.scalar(select(func.max(VolunteerChange.id)).where(
        VolunteerChange.at <= utcnow() - FEED_LAG)) or 0
    query = select(Volunteer).order_by(Volunteer.id)
    if since > 0:
        changed = select(VolunteerChange.number).where(VolunteerChange.id > since)
        query = query.where(Volunteer.number.in_(changed))
    volunteers = list(db.session.scalars(query))
    versions = dict(db.session.execute(
        select(ServiceCode.subject, ServiceCode.version).where(
            ServiceCode.type == "volunteer", ServiceCode.revoked_at.is_(None),
            ServiceCode.subject.in_([v.number for v in volunteers]))).all()) if volunteers else {}
    entries = [{"number": v.number, "name": v.masked_name, "code_version": versions.get(v.number),
                "active": bool(v.is_active)} for v in volunteers]
    return entries, max(settled, since), since <= 0


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def presence_key_text(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode().rstrip("=")


def last_seen(device: Device, at: datetime | None = None) -> None:
    device.last_seen_at = at or utcnow()
