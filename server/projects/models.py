"""Featured volunteer projects (特色志愿服务项目) and the units' monthly claims (一月一助)."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import one_of, unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..orders.models import BRANDS, CONTENT_AREAS
from ..sites.models import Site
from ..volunteers.models import Team

NAME_MAX = 64
DESCRIPTION_MAX = 500
PLAN_MAX = 300
NOTE_MAX = 300
CLAIM_STATES = ("claimed", "delivered", "dropped")


class FeaturedProject(db.Model):
    """A project in the district's list: "one team one speciality, one town one brand"."""

    __tablename__ = "featured_project"
    __table_args__ = (
        CheckConstraint(one_of("brand", BRANDS), name="brand"),
        CheckConstraint(one_of("content_area", CONTENT_AREAS), name="content_area"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)  # the owning unit
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    brand: Mapped[str] = mapped_column(String(16))
    content_area: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship()
    team: Mapped[Team | None] = relationship()


class ProjectClaim(db.Model):
    """A unit (a site of the network) or a volunteer group (a team) claims a project for a
    month: what it plans, then what it delivered. At most one claim per claimant, project and
    month, as a fact of the database."""

    __tablename__ = "project_claim"
    __table_args__ = (
        CheckConstraint(one_of("status", CLAIM_STATES), name="status"),
        CheckConstraint("(claimant_site_id IS NULL) <> (claimant_team_id IS NULL)",
                        name="one_claimant"),
        CheckConstraint("sessions_planned > 0 AND sessions_planned <= 100",
                        name="sessions_planned"),
        CheckConstraint("sessions_delivered >= 0 AND sessions_delivered <= 100",
                        name="sessions_delivered"),
        CheckConstraint("status <> 'delivered' OR delivered_at IS NOT NULL",
                        name="delivered_has_time"),
        unique_where("uq_project_claim_site_month", "project_id", "month", "claimant_site_id",
                     where="claimant_site_id IS NOT NULL"),
        unique_where("uq_project_claim_team_month", "project_id", "month", "claimant_team_id",
                     where="claimant_team_id IS NOT NULL"),
        Index("ix_project_claim_month", "month", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("featured_project.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month claimed
    claimant_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    claimant_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    plan: Mapped[str] = mapped_column(String(PLAN_MAX), default="")
    sessions_planned: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    sessions_delivered: Mapped[int] = mapped_column(Integer, default=0)
    delivered_note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="")

    project: Mapped[FeaturedProject] = relationship()
    claimant_site: Mapped[Site | None] = relationship()
    claimant_team: Mapped[Team | None] = relationship()

    @property
    def claimant_name(self) -> str:
        return self.claimant_site.name if self.claimant_site else self.claimant_team.name
