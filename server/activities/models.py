"""Activities (Friday activity days, themed, branded), monthly themes, sign-ups with a
waitlist, and the private calendar links of volunteers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import one_of, unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..honors.models import Honoree
from ..orders.models import BRANDS, CONTENT_AREAS
from ..projects.models import FeaturedProject
from ..sites.models import Site
from ..volunteers.models import Team, Volunteer

TITLE_MAX = 80
DESCRIPTION_MAX = 1000
THEME_TITLE_MAX = 64
THEME_DESCRIPTION_MAX = 300
NAME_MAX = 32
REASON_MAX = 200
CAPACITY_MAX = 10000
ACTIVITY_STATES = ("scheduled", "cancelled")
SIGNUP_STATES = ("confirmed", "waitlisted", "cancelled")


class MonthlyTheme(db.Model):
    """"Every month has a theme": one per unit and month, shown on its activities and on the
    landing pages of its subtree (the nearest unit's theme wins)."""

    __tablename__ = "monthly_theme"
    __table_args__ = (
        UniqueConstraint("site_id", "month", name="uq_monthly_theme_site_month"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    title: Mapped[str] = mapped_column(String(THEME_TITLE_MAX))
    description: Mapped[str] = mapped_column(String(THEME_DESCRIPTION_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship()


class Activity(db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint(one_of("brand", BRANDS), name="brand"),
        CheckConstraint(one_of("content_area", CONTENT_AREAS), name="content_area"),
        CheckConstraint(one_of("status", ACTIVITY_STATES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"capacity IS NULL OR (capacity > 0 AND capacity <= {CAPACITY_MAX})",
                        name="capacity"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        # The Friday helper's idempotency: one activity per site and series day.
        UniqueConstraint("site_id", "series", name="uq_activity_site_id_series"),
        # What a site has on, by time: its next activities, its feed, sign-in linking.
        Index("ix_activity_site_starts", "site_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    brand: Mapped[str] = mapped_column(String(16))
    content_area: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: as many as come
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_theme.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("featured_project.id"),
                                                   index=True)
    # A talk by a model of good conduct (先进典型宣讲) names them.
    honoree_id: Mapped[int | None] = mapped_column(ForeignKey("honoree.id"), index=True)
    # Residents may register with a phone number (no account).
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # "friday:2026-03-06" for the Friday activity day helper; None for one-off activities.
    series: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    site: Mapped[Site] = relationship()
    team: Mapped[Team | None] = relationship()
    theme: Mapped[MonthlyTheme | None] = relationship()
    project: Mapped[FeaturedProject | None] = relationship()
    honoree: Mapped[Honoree | None] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title}>"


class ActivitySignup(db.Model):
    """A volunteer's (or a resident's, by phone) place: confirmed within capacity, else on the
    waitlist in order of arrival (id), promoted when a confirmed place is given up."""

    __tablename__ = "activity_signup"
    __table_args__ = (
        CheckConstraint(one_of("status", SIGNUP_STATES), name="status"),
        CheckConstraint("(volunteer_id IS NULL) <> (phone IS NULL)", name="one_person"),
        unique_where("uq_activity_signup_volunteer", "activity_id", "volunteer_id",
                     where="status <> 'cancelled' AND volunteer_id IS NOT NULL"),
        unique_where("uq_activity_signup_phone", "activity_id", "phone",
                     where="status <> 'cancelled' AND phone IS NOT NULL"),
        Index("ix_activity_signup_activity_status", "activity_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(11))
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    activity: Mapped[Activity] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()

    @property
    def masked_phone(self) -> str:
        return self.phone[:3] + "****" + self.phone[-4:] if self.phone else ""


class CalendarLink(db.Model):
    """A volunteer's private calendar feed: only the SHA-256 of the URL's token is kept; a new
    link replaces the old one."""

    __tablename__ = "calendar_link"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
