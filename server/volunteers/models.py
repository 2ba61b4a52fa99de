"""Volunteers, the general team (总队) and its branch teams, and who belongs to which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site

NUMBER_MAX = 20
NAME_MAX = 32
PHONE_MAX = 20


class Team(db.Model):
    """The general team is the one team without a parent; branch teams hang under it."""

    __tablename__ = "team"
    __table_args__ = (
        unique_where("uq_team_one_general", "is_general", where="is_general"),
        CheckConstraint("(is_general AND parent_id IS NULL) OR (NOT is_general AND parent_id "
                        "IS NOT NULL)", name="general_is_root"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    is_general: Mapped[bool] = mapped_column(Boolean, default=False)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)  # the unit it serves
    description: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship()
    parent: Mapped[Team | None] = relationship(remote_side=[id])
    members: Mapped[list[TeamMember]] = relationship(back_populates="team",
                                                     cascade="all, delete-orphan")


class Volunteer(db.Model):
    """What a volunteer record needs (志愿服务记录): no more personal data than that."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unified volunteer number; also the subject of the volunteer's code.
    number: Mapped[str] = mapped_column(String(NUMBER_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), index=True)
    home_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Optional number + password login on the phone; None means one-time links only.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped to log the volunteer out of every phone (lost phone, password change).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    home_site: Mapped[Site] = relationship()
    memberships: Mapped[list[TeamMember]] = relationship(back_populates="volunteer")

    @property
    def masked_phone(self) -> str:
        """For lists and kiosk screens: 138****5678."""
        return mask_mobile(self.phone)

    @property
    def masked_name(self) -> str:
        """For public screens (kiosk, honor roll): 张*明."""
        return mask_name(self.name)

    def __repr__(self) -> str:
        return f"<Volunteer {self.number}>"


def mask_mobile(phone: str | None) -> str:
    """A volunteer's mobile number as lists show it: 138****5678, "****" when too short."""
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def mask_name(name: str | None) -> str:
    """A name as public screens show it: 张*明, 王*, 李."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class TeamMember(db.Model):
    __tablename__ = "team_member"
    __table_args__ = (
        # One leader (队长) per team; naming a new one demotes the old in the same transaction.
        unique_where("uq_team_member_one_leader", "team_id", where="is_leader"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), primary_key=True,
                                              index=True)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    team: Mapped[Team] = relationship(back_populates="members")
    volunteer: Mapped[Volunteer] = relationship(back_populates="memberships")


class VolunteerNumberCounter(db.Model):
    """The last sequence number handed out per year: numbers are never reused, even after a
    volunteer leaves, because the counter only goes up (locked while it is read and bumped)."""

    __tablename__ = "volunteer_number_counter"
    __table_args__ = (CheckConstraint("last_value >= 0", name="not_negative"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class LoginLink(db.Model):
    """A one-time phone login link: only the SHA-256 of its random token is stored."""

    __tablename__ = "volunteer_login_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    volunteer: Mapped[Volunteer] = relationship()
