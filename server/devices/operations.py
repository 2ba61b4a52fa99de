"""Kiosk enrollment, authentication, revocation, health and the volunteer feed. They flush."""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from flask import current_app
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..codes import operations as codes
from ..codes.keys import derived_fernet
from ..codes.models import ServiceCode
from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.fields import clean_reason
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..sites.models import Site, SiteRef
from ..volunteers.models import Volunteer
from .models import Device, Enrollment, KioskAction, VolunteerChange

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


def sealed_presence_secret(presence: bytes) -> str:
    """A kiosk's presence secret as the device row keeps it (encrypted with a derived key)."""
    return derived_fernet(_PURPOSE).encrypt(presence).decode()


def create_enrollment(site: Site, *, actor: Actor = None) -> tuple[Enrollment, ServiceCode]:
    """A one-time code a new kiosk scans to pair with `site`."""
    if not site.is_active:
        raise ValidationError(_l("A deactivated site cannot get kiosks."), "site_inactive")
    expires = utcnow().replace(microsecond=0) + timedelta(minutes=ENROLLMENT_MINUTES)
    enrollment = Enrollment(site_id=site.id, expires_at=expires,
                            created_by_user_id=actors.admin_id(actor))
    db.session.add(enrollment)
    db.session.flush()
    code = codes.issue("enrollment", str(enrollment.id), site=site, expires_at=expires,
                       actor=actor)
    audit.record("device.enrollment", site, actor=actor, enrollment_id=enrollment.id)
    return enrollment, code


def enroll(text: str, *, name: str = "", app_version: str = "") -> tuple[Device, str, bytes]:
    """Pair a kiosk: (device, bearer secret, presence secret). The code works once."""
    try:
        code = codes.resolve(text, expected_type="enrollment", source="kiosk")
    except codes.CodeRejected as rejected:
        if rejected.reason != codes.USED:
            raise
        used = DeviceRefused(_l("This enrollment code was already used. Make a new one."),
                             "enrollment_used")
        used.keeps_writes = True  # the refusal's audit entry stays, as for any rejected code
        raise used from None
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
                    presence_secret_encrypted=sealed_presence_secret(presence),
                    last_seen_at=utcnow())
    db.session.add(device)
    db.session.flush()
    enrollment.used_at = utcnow()
    enrollment.device_id = device.id
    codes.revoke(code, codes.USED, actor=f"kiosk {device.id}")
    audit.record("device.enroll", device, actor=f"kiosk {device.id}", site_id=device.site_id)
    return device, secret, presence


def presence_secret(device: Device) -> bytes:
    return derived_fernet(_PURPOSE).decrypt(device.presence_secret_encrypted.encode())


@dataclass(frozen=True, slots=True)
class Kiosk:
    """An authenticated kiosk as a request reads it, with its site: one Core statement, no
    ORM object (every kiosk request reads one). Attribute names are Device's; `site` is a
    SiteRef. Handlers that need the ORM records load them (db.session.get)."""

    __tablename__: ClassVar[str] = "device"  # an audit target, like the Device row it is

    id: int
    name: str
    site: SiteRef
    revoked_at: datetime | None
    revoke_reason: str
    last_seen_at: datetime | None
    clock_offset_ms: int | None
    app_version: str
    outbox_length: int | None = None

    @property
    def site_id(self) -> int:
        return self.site.id


_devices, _sites = Device.__table__, Site.__table__
_KIOSK_COLUMNS = (_devices.c.id.label("kiosk_id"), _devices.c.name.label("kiosk_name"),
                  _devices.c.revoked_at, _devices.c.revoke_reason, _devices.c.last_seen_at,
                  _devices.c.clock_offset_ms, _devices.c.app_version, _devices.c.outbox_length,
                  _sites.c.id.label("site_id"), _sites.c.kind.label("site_kind"),
                  _sites.c.name.label("site_name"), _sites.c.address.label("site_address"),
                  _sites.c.path.label("site_path"), _sites.c.is_active.label("site_is_active"))
# The kiosk with its site, by the secret's hash (bound at execution): every kiosk request runs
# one of these, built once.
_KIOSK = (select(*_KIOSK_COLUMNS).join_from(_devices, _sites, _devices.c.site_id == _sites.c.id)
          .where(_devices.c.secret_hash == bindparam("secret_hash")))
_KIOSK_LOCKED = _KIOSK.with_for_update(of=_devices, key_share=True)


def _kiosk(row) -> Kiosk:
    return Kiosk(id=row.kiosk_id, name=row.kiosk_name, revoked_at=row.revoked_at,
                 revoke_reason=row.revoke_reason, last_seen_at=row.last_seen_at,
                 clock_offset_ms=row.clock_offset_ms, app_version=row.app_version,
                 outbox_length=row.outbox_length,
                 site=SiteRef(id=row.site_id, kind=row.site_kind, name=row.site_name,
                              address=row.site_address, path=row.site_path,
                              is_active=row.site_is_active))


def device_for_secret(secret: str, *, lock: bool = False) -> Kiosk | None:
    """The kiosk with this bearer secret, with its site. `lock` takes its row lock (FOR NO KEY
    UPDATE) inside the request's transaction: a kiosk's writes then run one at a time, and a
    retried batch waits for the original; it does not block the foreign-key checks (KEY SHARE)
    of rows that name it. On SQLite the write transaction that reads it is already the one
    writer's, so a revocation committed before the read counts, on both engines alike."""
    if not secret:
        return None
    row = db.session.connection().execute(_KIOSK_LOCKED if lock else _KIOSK,
                                          {"secret_hash": hash_secret(secret)}).first()
    return None if row is None else _kiosk(row)


def device_for_secret_with(secret: str, table: Table, onclause, params: dict
                           ) -> tuple[Kiosk, dict[str, Any]] | None:
    """device_for_secret(lock=True) and the one row of `table` that `onclause` picks (with
    its bound `params`), both locked, kiosk first as every kiosk write takes them, in one
    statement: for a kiosk action whose first read can join the kiosk's (a card read names a
    volunteer). The row comes back as {column key: value}. None when either is not there;
    the caller then takes the usual way, which decides the refusals. `onclause` should be
    built once: the statement is built and cached by it."""
    if not secret:
        return None
    statement, labels = _kiosk_with(table, onclause)
    row = db.session.connection().execute(
        statement, {"secret_hash": hash_secret(secret), **params}).first()
    if row is None:
        return None
    return _kiosk(row), {key: getattr(row, label) for key, label in labels.items()}


@functools.cache
def _kiosk_with(table: Table, onclause):
    labels = {column.key: f"with_{column.key}" for column in table.c}
    statement = (_KIOSK.add_columns(*(table.c[key].label(label) for key, label in labels.items()))
                 .join(table, onclause).with_for_update(of=[_devices, table], key_share=True))
    return statement, labels


def record_contact(device: Device | Kiosk, **columns) -> None:
    """Write health columns (last_seen_at, app_version, clock_offset_ms, outbox_length) with
    one Core UPDATE;
    a loaded Device is kept in step (a Kiosk record is read anew by each request)."""
    db.session.connection().execute(
        update(_devices).where(_devices.c.id == device.id).values(**columns))
    if isinstance(device, Device):
        for name, value in columns.items():
            set_committed_value(device, name, value)


def revoke(device: Device, reason: str, *, actor: Actor = None) -> Device:
    reason = clean_reason(reason, _l("Say why the kiosk is revoked."), limit=REASON_MAX)
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


#: What other features add to the kiosk's changes poll (GET /kiosk/changes), by name: a
#: function of the kiosk giving a JSON value. Shifts adds "on_shift" (who is signed in here).
CHANGE_FEEDS: dict[str, Callable[[Kiosk], Any]] = {}


def add_change_feed(name: str, feed: Callable[[Kiosk], Any]) -> None:
    """Features add to the changes poll at init_app (devices cannot import them)."""
    CHANGE_FEEDS[name] = feed


def change_feeds(kiosk: Kiosk) -> dict[str, Any]:
    return {name: feed(kiosk) for name, feed in CHANGE_FEEDS.items()}


def volunteer_change_cursor() -> int:
    """The newest volunteer change's id, unlagged: only a hint that the feed has news."""
    return db.session.scalar(select(func.max(VolunteerChange.id))) or 0


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
