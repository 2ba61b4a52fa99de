"""Admin account model; a role is tied to the kind of site it manages, in the database too."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site, SiteKind


class Role(StrEnum):
    DISTRICT = "district_admin"
    INSTITUTE = "institute_admin"
    STATION = "station_admin"


ROLE_SITE_KIND = {
    Role.DISTRICT: SiteKind.CENTER,
    Role.INSTITUTE: SiteKind.INSTITUTE,
    Role.STATION: SiteKind.STATION,
}

USERNAME_MAX = 64


class AdminUser(db.Model):
    __tablename__ = "admin_user"
    __table_args__ = (
        ForeignKeyConstraint(["site_id", "site_kind"], ["site.id", "site.kind"],
                             name="fk_admin_user_site"),
        CheckConstraint(
            "(role = 'district_admin' AND site_kind = 'center')"
            " OR (role = 'institute_admin' AND site_kind = 'institute')"
            " OR (role = 'station_admin' AND site_kind = 'station')",
            name="role_site_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int] = mapped_column(Integer, index=True)
    site_kind: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: every existing session cookie stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    site: Mapped[Site] = relationship(
        foreign_keys=[site_id], primaryjoin="AdminUser.site_id == Site.id", viewonly=True
    )

    def can_manage(self, site: Site) -> bool:
        return self.is_active and self.site.contains(site)

    @property
    def is_district_admin(self) -> bool:
        return self.role == Role.DISTRICT

    def __repr__(self) -> str:
        return f"<AdminUser {self.username} {self.role}>"
