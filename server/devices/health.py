"""Kiosk health for the dashboard: online or silent, outbox backlog, version, clock, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..sites.models import Site
from .models import Device
from .operations import refused_counts


@dataclass(frozen=True)
class KioskHealth:
    device: Device
    online: bool
    silent_for: timedelta | None  # since the last contact; None: never heard from
    is_alert: bool  # silent longer than KIOSK_SILENT_ALERT_MINUTES (or never heard from)
    outbox: int | None  # actions waiting on the kiosk, as it last reported
    clock_offset_seconds: float | None
    clock_warning: bool
    refused: int  # actions the server refused, listed for an admin

    @property
    def silent_minutes(self) -> int | None:
        return None if self.silent_for is None else int(self.silent_for.total_seconds() // 60)


@dataclass(frozen=True)
class HealthSummary:
    kiosks: list[KioskHealth]

    @property
    def online(self) -> int:
        return sum(k.online for k in self.kiosks)

    @property
    def alerts(self) -> list[KioskHealth]:
        return [k for k in self.kiosks if k.is_alert]

    @property
    def clock_warnings(self) -> int:
        return sum(k.clock_warning for k in self.kiosks)

    @property
    def backlog(self) -> int:
        return sum(k.outbox or 0 for k in self.kiosks)


def health(root: Site, now: datetime | None = None) -> HealthSummary:
    """The live (not revoked) kiosks of `root`'s subtree; alerts first, then by site."""
    now = now or utcnow()
    config = current_app.config
    online_within = timedelta(minutes=config["KIOSK_ONLINE_MINUTES"])
    alert_after = timedelta(minutes=config["KIOSK_SILENT_ALERT_MINUTES"])
    warn_ms = config["KIOSK_CLOCK_WARN_SECONDS"] * 1000
    devices = list(db.session.scalars(
        select(Device).join(Site, Device.site_id == Site.id)
        .where(Site.path.startswith(root.path, autoescape=True), Device.revoked_at.is_(None))
        .order_by(Site.path, Device.id)))
    refused = refused_counts(devices)
    kiosks = []
    for device in devices:
        silent = None if device.last_seen_at is None else now - as_utc(device.last_seen_at)
        offset = device.clock_offset_ms
        kiosks.append(KioskHealth(
            device=device, online=silent is not None and silent <= online_within,
            silent_for=silent, is_alert=silent is None or silent > alert_after,
            outbox=device.outbox_length,
            clock_offset_seconds=None if offset is None else round(offset / 1000, 1),
            clock_warning=offset is not None and abs(offset) > warn_ms,
            refused=refused.get(device.id, 0)))
    kiosks.sort(key=lambda k: not k.is_alert)
    return HealthSummary(kiosks)
