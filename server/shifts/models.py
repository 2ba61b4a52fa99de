"""Shifts (a volunteer's time at a site), single-use presence codes, and the hours policy of a
site subtree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer

# How a shift was started or ended.
METHODS = ("kiosk", "presence", "poster", "admin", "rule")
# Review of hours: "none" (credited directly), "pending", "approved", "rejected".
REVIEW_STATES = ("none", "pending", "approved", "rejected")


class Shift(db.Model):
    __tablename__ = "shift"
    __table_args__ = (
        # One open shift per volunteer, as a fact of the database.
        unique_where("uq_shift_one_open", "volunteer_id", where="ended_at IS NULL"),
        # A volunteer's shifts by time: the day's credited minutes on every sign-out, "my
        # shifts", statements (and every lookup by volunteer alone).
        Index("ix_shift_volunteer_started", "volunteer_id", "started_at"),
        # Reports and the overview sum a period's shifts of a subtree: the period's range of
        # this index holds every column they read, so neither database visits the table.
        Index("ix_shift_started_report", "started_at", "site_id", "review", "credited_minutes",
              "volunteer_id"),
        # The overview's "waiting for review" counts a few rows among a million.
        Index("ix_shift_pending_site", "site_id", sqlite_where=text("review = 'pending'"),
              postgresql_where=text("review = 'pending'")),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("credited_minutes IS NULL OR credited_minutes >= 0",
                        name="credit_not_negative"),
        CheckConstraint("review IN ('none', 'pending', 'approved', 'rejected')", name="review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    start_method: Mapped[str] = mapped_column(String(16))
    end_method: Mapped[str | None] = mapped_column(String(16))
    start_device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    end_device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    # Presence proven (kiosk read the card, or the phone scanned the kiosk's rotating code).
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # Minutes that count after rounding and the daily cap; set when the shift closes.
    credited_minutes: Mapped[int | None] = mapped_column(Integer)
    review: Mapped[str] = mapped_column(String(16), default="none")
    review_reason: Mapped[str] = mapped_column(String(200), default="")
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    # Why it needs a look: "unverified", "auto_closed", "clock_skew", "admin_entry", …
    flags: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    volunteer: Mapped[Volunteer] = relationship()
    site: Mapped[Site] = relationship()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def is_creditable(self) -> bool:
        """Hours count toward the time bank: closed, and verified or approved by an admin."""
        return (self.ended_at is not None and self.credited_minutes is not None
                and self.review in ("none", "approved"))


class PresenceUse(db.Model):
    """A presence code step used by a volunteer: each step of each kiosk counts once."""

    __tablename__ = "presence_use"
    __table_args__ = (
        UniqueConstraint("device_id", "step", "volunteer_id", name="uq_presence_use"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    step: Mapped[int] = mapped_column(Integer)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    used_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HoursPolicy(db.Model):
    """Rounding, daily cap and maximum shift length for a site and everything below it; the
    nearest ancestor with a policy wins, else the deployment's defaults."""

    __tablename__ = "hours_policy"
    __table_args__ = (
        CheckConstraint("rounding_minutes IN (1, 5, 10, 15, 30)", name="rounding"),
        CheckConstraint("daily_cap_minutes > 0 AND max_shift_minutes > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), unique=True)
    rounding_minutes: Mapped[int] = mapped_column(Integer, default=5)
    daily_cap_minutes: Mapped[int] = mapped_column(Integer, default=8 * 60)
    max_shift_minutes: Mapped[int] = mapped_column(Integer, default=10 * 60)
    # Minutes credited for a shift nobody signed out of, closed by rule.
    forgotten_credit_minutes: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)
