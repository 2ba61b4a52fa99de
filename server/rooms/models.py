"""Function rooms (功能室) and their bookings. Two live bookings of one room never overlap: a
PostgreSQL exclusion constraint over a time range, and triggers doing the same on SQLite."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    column,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import one_of
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Team, Volunteer

# The center's five function zones (五大功能专区) of the seed.
ZONES = ("理论宣讲", "市民教育", "文化活动", "科普宣传", "健身活动")
BOOKING_STATES = ("requested", "confirmed", "rejected", "cancelled")
# Bookings that hold their time: a request waiting for the unit holds it as a confirmed one
# does, so the unit never has to choose between two requests for the same hour.
LIVE_STATES = ("requested", "confirmed")
CHANNELS = ("phone", "admin")
DESCRIPTION_MAX = 300
PURPOSE_MAX = 120
NAME_MAX = 32
REASON_MAX = 200
WEEKDAYS = "1234567"  # ISO weekdays, Monday = 1

_LIVE = one_of("status", LIVE_STATES)


class Room(db.Model):
    """A room is a place with its own poster: its site is a service point (under the center or
    an institute) whose point code opens the booking page."""

    __tablename__ = "room"
    __table_args__ = (
        CheckConstraint(one_of("zone", ZONES), name="zone"),
        CheckConstraint("capacity > 0 AND capacity <= 2000", name="capacity"),
        CheckConstraint("opens_minute >= 0 AND closes_minute <= 1440 "
                        "AND opens_minute < closes_minute", name="hours"),
        CheckConstraint("max_minutes >= 30 AND max_minutes <= 1440", name="max_minutes"),
        CheckConstraint("length(open_weekdays) > 0", name="some_open_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), unique=True)
    zone: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    # Opening hours, local time, as minutes after midnight, on the ISO weekdays listed.
    opens_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    closes_minute: Mapped[int] = mapped_column(Integer, default=17 * 60 + 30)
    open_weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    max_minutes: Mapped[int] = mapped_column(Integer, default=240)
    # Bookings wait for the unit's approval (预约审核); else they are confirmed at once.
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship()

    @property
    def name(self) -> str:
        return self.site.name


class RoomBooking(db.Model):
    __tablename__ = "room_booking"
    __table_args__ = (
        CheckConstraint(one_of("status", BOOKING_STATES), name="status"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("attendees > 0 AND attendees <= 2000", name="attendees"),
        CheckConstraint("phone IS NOT NULL OR volunteer_id IS NOT NULL OR channel = 'admin'",
                        name="has_booker"),
        # The rule itself (PostgreSQL; btree_gist gives the "=" of room_id a GiST operator
        # class). SQLite has the triggers below.
        ExcludeConstraint(
            (column("room_id"), "="),
            (func.tstzrange(column("starts_at"), column("ends_at"), literal_column("'[)'")),
             "&&"),
            where=text(_LIVE), using="gist", name="ex_room_booking_no_overlap",
        ).ddl_if(dialect="postgresql"),
        Index("ix_room_booking_room_starts", "room_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    attendees: Mapped[int] = mapped_column(Integer, default=1)
    contact_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    phone: Mapped[str | None] = mapped_column(String(11), index=True)  # a resident's
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")

    room: Mapped[Room] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    team: Mapped[Team | None] = relationship()

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATES

    @property
    def masked_phone(self) -> str:
        return self.phone[:3] + "****" + self.phone[-4:] if self.phone else ""


# SQLite: the same rule as the exclusion constraint, checked by the database on every insert
# and every update of a live booking (writers run one at a time, so the check cannot race).
# Times are stored as UTC text of one fixed format, so text order is time order.
_OVERLAP_CHECK = (
    f"BEGIN SELECT RAISE(ABORT, 'room_booking_overlap') WHERE NEW.{_LIVE} "
    "AND EXISTS (SELECT 1 FROM room_booking AS other WHERE other.room_id = NEW.room_id "
    "AND other.id <> NEW.id AND other.status IN ('requested', 'confirmed') "
    "AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at); END"
)
OVERLAP_DDL = {
    "sqlite": (
        "CREATE TRIGGER room_booking_no_overlap_insert BEFORE INSERT ON room_booking "
        "FOR EACH ROW " + _OVERLAP_CHECK,
        "CREATE TRIGGER room_booking_no_overlap_update BEFORE UPDATE OF room_id, starts_at, "
        "ends_at, status ON room_booking FOR EACH ROW " + _OVERLAP_CHECK,
    ),
}
OVERLAP_DROP_DDL = {
    "sqlite": ("DROP TRIGGER IF EXISTS room_booking_no_overlap_insert",
               "DROP TRIGGER IF EXISTS room_booking_no_overlap_update"),
}
for _dialect, _statements in OVERLAP_DDL.items():
    for _statement in _statements:
        event.listen(RoomBooking.__table__, "after_create",
                     DDL(_statement).execute_if(dialect=_dialect))
