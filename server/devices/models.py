"""Kiosk devices: enrolled at a site by a one-time code, authenticated by a secret, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site


class Device(db.Model):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    # The kiosk sends its secret as a bearer token; only a hash is stored.
    secret_hash: Mapped[str] = mapped_column(String(128), unique=True)
    # The presence-code secret must be usable (HMAC), so it is stored encrypted, not hashed.
    presence_secret_encrypted: Mapped[str] = mapped_column(Text)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoke_reason: Mapped[str] = mapped_column(String(200), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Kiosk clock minus server clock at the last sync, in milliseconds.
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    # Actions waiting in the kiosk's outbox, as it last reported (with a batch or a poll).
    outbox_length: Mapped[int | None] = mapped_column(Integer)

    site: Mapped[Site] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class KioskAction(db.Model):
    """Every action a kiosk uploaded, by its client key: the same key again gets the same answer."""

    __tablename__ = "kiosk_action"
    # Its index also serves every lookup by kiosk alone: no second index to keep on each upload.
    __table_args__ = (UniqueConstraint("device_id", "client_key", name="uq_kiosk_action_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    client_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    body_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical JSON body
    client_time: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    status: Mapped[int] = mapped_column(Integer)  # the HTTP-like status of the answer
    response: Mapped[dict] = mapped_column(JSON, default=dict)


class Enrollment(db.Model):
    """A one-time enrollment code shown in the dashboard; a new kiosk scans it to pair."""

    __tablename__ = "device_enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), unique=True)

    site: Mapped[Site] = relationship()


class VolunteerChange(db.Model):
    """Change log behind the kiosks' volunteer cache: its id is the `since` cursor."""

    __tablename__ = "volunteer_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


@event.listens_for(Session, "before_flush")
def _log_volunteer_changes(session, _context, _instances) -> None:
    # An ORM hook rather than calls in every volunteers/codes operation: no writer can forget it.
    from ..codes.models import ServiceCode
    from ..volunteers.models import Volunteer

    numbers = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Volunteer) and obj.number:
            numbers.add(obj.number)
        elif isinstance(obj, ServiceCode) and obj.type == "volunteer":
            numbers.add(obj.subject)
    for number in sorted(numbers):
        session.add(VolunteerChange(number=number))
