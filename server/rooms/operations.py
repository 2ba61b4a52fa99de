"""Room rules: set up a room (a point with its own poster), book it within its opening
hours, approve or reject, cancel. The database refuses two live bookings of one room that
overlap (models.py); these rules give the same refusal a readable message first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..codes.operations import ensure_point_code
from ..core import actors, audit
from ..core.actors import Actor
from ..core.db import serialize
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.fields import clean_int, clean_text, local_day_bounds, parse_moment
from ..core.i18n import _l
from ..core.schema import parse_id
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..extensions import db
from ..orders.text import clean_phone
from ..sites import operations as sites
from ..sites.models import Site, SiteKind
from ..volunteers.models import Team, TeamMember, Volunteer
from .models import (
    DESCRIPTION_MAX,
    LIVE_STATES,
    NAME_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    WEEKDAYS,
    ZONES,
    Room,
    RoomBooking,
)

AHEAD = timedelta(days=60)  # how far ahead a room can be booked
SHORTEST = timedelta(minutes=30)
PHONE_LIVE_LIMIT = 3  # live bookings one phone number may hold (no account behind it)
LABELS = {
    "purpose": _l("What for"),
    "attendees": _l("How many people"),
    "contact_name": _l("Your name"),
    "reason": _l("Reason"),
    "description": _l("Description"),
    "capacity": _l("Capacity"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
}


class RoomTaken(Conflict):
    code = "room_taken"


def get_room(room_id) -> Room:
    number = parse_id(room_id)
    room = db.session.get(Room, number) if number else None
    if room is None:
        raise NotFound(_l("No such room."), "room_not_found")
    return room


def room_at(site) -> Room | None:
    """The room whose poster is this site's point code, if any."""
    return db.session.scalar(select(Room).where(Room.site_id == site.id))


def get_booking(booking_id) -> RoomBooking:
    number = parse_id(booking_id)
    booking = db.session.get(RoomBooking, number) if number else None
    if booking is None:
        raise NotFound(_l("No such booking."), "booking_not_found")
    return booking


def create_room(*, building: Site, name, zone, capacity=30, description="",
                opens: time = time(9), closes: time = time(17, 30), weekdays="12345",
                max_minutes=240, needs_approval: bool = True, actor: Actor = None) -> Room:
    """A room of `building` (the center or an institute): a service point of its own under
    it, with a point code for the poster on its door."""
    if zone not in ZONES:
        raise ValidationError(_l("Choose one of the five function zones."), "invalid_zone",
                              field="zone")
    if building.kind not in (SiteKind.CENTER, SiteKind.INSTITUTE, SiteKind.STATION):
        raise ValidationError(_l("Rooms belong to the center, an institute or a station."),
                              "invalid_building", field="building")
    weekdays = "".join(d for d in WEEKDAYS if d in str(weekdays or ""))
    if not weekdays:
        raise ValidationError(_l("Choose at least one opening day."), "no_open_day",
                              field="weekdays")
    if not isinstance(opens, time) or not isinstance(closes, time) or closes <= opens:
        raise ValidationError(_l("The room must close after it opens."), "invalid_hours",
                              field="closes")
    site = sites.create_site(kind=SiteKind.POINT, name=name, parent=building,
                             address=building.address, actor=actor)
    room = Room(site_id=site.id, zone=zone,
                capacity=clean_int(capacity, "capacity", LABELS["capacity"], low=1, high=2000),
                description=clean_text(description, "description", LABELS["description"],
                                       DESCRIPTION_MAX, one_line=False),
                opens_minute=opens.hour * 60 + opens.minute,
                closes_minute=closes.hour * 60 + closes.minute, open_weekdays=weekdays,
                max_minutes=clean_int(max_minutes, "max_minutes", _l("Longest booking"),
                                      low=30, high=1440),
                needs_approval=bool(needs_approval))
    db.session.add(room)
    db.session.flush()
    ensure_point_code(site, actor=actor)
    audit.record("room.create", room, actor=actor, name=site.name, zone=zone)
    return room


def rooms(root: Site | None = None, *, active_only: bool = True) -> list[Room]:
    query = select(Room).join(Site, Site.id == Room.site_id)
    if root is not None:
        query = query.where(Site.path.startswith(root.path, autoescape=True))
    if active_only:
        query = query.where(Room.is_active.is_(True), Site.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Room.zone, Site.name)))


def opening_text(room: Room) -> str:
    """"周一至周五 09:00–17:30", "每天 08:00–21:00" (English on request)."""
    from ..activities.display import WEEKDAYS, is_chinese

    days = [int(d) for d in room.open_weekdays]
    if len(days) == 7:
        label = str(_l("every day"))
    elif len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        label = str(_l("%(first)s to %(last)s", first=WEEKDAYS[days[0] - 1],
                       last=WEEKDAYS[days[-1] - 1]))
    else:
        label = ("、" if is_chinese() else ", ").join(str(WEEKDAYS[d - 1]) for d in days)
    return f"{label} {room.opens_minute // 60:02d}:{room.opens_minute % 60:02d}–" \
           f"{room.closes_minute // 60:02d}:{room.closes_minute % 60:02d}"


def _check_time(room: Room, start: datetime, end: datetime, now: datetime) -> None:
    if end <= start:
        raise ValidationError(_l("The end must be after the start."), "ends_before_start",
                              field="ends_at")
    if start < now:
        raise ValidationError(_l("That time is already past."), "in_past", field="starts_at")
    if start > now + AHEAD:
        raise ValidationError(_l("Rooms can be booked up to 60 days ahead."), "too_far_ahead",
                              field="starts_at")
    if end - start < SHORTEST or end - start > timedelta(minutes=room.max_minutes):
        raise ValidationError(_l("A booking lasts from 30 minutes to %(n)d minutes.",
                                 n=room.max_minutes), "invalid_length", field="ends_at")
    local_start, local_end = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
    opens = local_start.replace(hour=room.opens_minute // 60, minute=room.opens_minute % 60,
                                second=0, microsecond=0)
    closes = local_start.replace(hour=0, minute=0, second=0, microsecond=0) \
        + timedelta(minutes=room.closes_minute)
    if str(local_start.isoweekday()) not in room.open_weekdays or local_start < opens \
            or local_end > closes:
        raise ValidationError(_l("The room is open %(hours)s.", hours=opening_text(room)),
                              "outside_opening_hours", field="starts_at")


def overlapping(room: Room, start: datetime, end: datetime) -> RoomBooking | None:
    return db.session.scalar(select(RoomBooking).where(
        RoomBooking.room_id == room.id, RoomBooking.status.in_(LIVE_STATES),
        RoomBooking.starts_at < end, RoomBooking.ends_at > start).limit(1))


def _taken() -> RoomTaken:
    return RoomTaken(_l("The room is already booked at that time. Please choose another time."),
                     field="starts_at")


def book(room: Room, *, starts_at, ends_at, purpose, attendees=1, contact_name="",
         phone=None, volunteer: Volunteer | None = None, team: Team | None = None,
         channel: str = "phone", actor: Actor = None, now: datetime | None = None) -> RoomBooking:
    """A booking by a resident (phone number), a volunteer (phone session, maybe for a team)
    or an admin. Confirmed at once unless the room waits for the unit's approval."""
    now = now or utcnow()
    if not room.is_active or not room.site.is_active:
        raise Conflict(_l("This room cannot be booked now."), "room_closed")
    start = parse_moment(starts_at, "starts_at", LABELS["starts_at"])
    end = parse_moment(ends_at, "ends_at", LABELS["ends_at"])
    _check_time(room, start, end, now)
    purpose = clean_text(purpose, "purpose", LABELS["purpose"], PURPOSE_MAX, required=True)
    people = clean_int(attendees, "attendees", LABELS["attendees"], low=1, high=2000)
    if people > room.capacity:
        raise ValidationError(_l("The room holds %(n)d people.", n=room.capacity),
                              "over_capacity", field="attendees")
    if channel == "phone" and volunteer is None:
        phone = clean_phone(phone)
        contact_name = clean_text(contact_name, "contact_name", LABELS["contact_name"],
                                  NAME_MAX, required=True)
    elif volunteer is not None:
        phone, contact_name = None, volunteer.name
        if team is not None and db.session.get(TeamMember, (team.id, volunteer.id)) is None:
            raise ValidationError(_l("You can only book for a team you belong to."),
                                  "not_a_member", field="team_id")
    else:
        phone = None
        contact_name = clean_text(contact_name, "contact_name", LABELS["contact_name"],
                                  NAME_MAX)
    if phone is not None:
        serialize(f"rooms.phone:{phone}")
        live = db.session.scalar(select(func.count()).select_from(RoomBooking).where(
            RoomBooking.phone == phone, RoomBooking.status.in_(LIVE_STATES),
            RoomBooking.ends_at > now))
        if live >= PHONE_LIVE_LIMIT:
            raise Conflict(_l("This phone number already holds %(n)d bookings.",
                              n=PHONE_LIVE_LIMIT), "too_many_bookings", field="phone")
    if overlapping(room, start, end) is not None:
        raise _taken()
    booking = RoomBooking(room_id=room.id, starts_at=start, ends_at=end,
                          status="requested" if room.needs_approval else "confirmed",
                          channel=channel, purpose=purpose, attendees=people,
                          contact_name=contact_name, phone=phone,
                          volunteer_id=volunteer.id if volunteer else None,
                          team_id=team.id if team else None, created_at=now)
    try:
        # Two bookings at once both passed the check above: the database lets one through.
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except IntegrityError:
        raise _taken() from None
    audit.record("room.book", booking, actor=actor or _who(booking), room_id=room.id,
                 status=booking.status)
    return booking


def _who(booking: RoomBooking) -> str:
    if booking.volunteer_id:
        return f"volunteer {booking.volunteer_id}"
    return "resident" if booking.phone else ""


def _locked(booking: RoomBooking) -> RoomBooking:
    return db.session.scalar(select(RoomBooking).where(RoomBooking.id == booking.id)
                             .with_for_update().execution_options(populate_existing=True))


def decide(booking: RoomBooking, approve: bool, reason="", *, actor) -> RoomBooking:
    """The unit approves (confirmed) or rejects a request."""
    booking = _locked(booking)
    if booking.status != "requested":
        raise Conflict(_l("This booking is not waiting for a decision."), "not_requested")
    booking.status = "confirmed" if approve else "rejected"
    booking.reason = clean_text(reason, "reason", LABELS["reason"], REASON_MAX,
                                required=not approve)
    booking.decided_at = utcnow()
    booking.decided_by = actors.admin_label(actor)
    db.session.flush()
    audit.record("room.approve" if approve else "room.reject", booking, actor=actor,
                 reason=booking.reason)
    return booking


def cancel(booking: RoomBooking, reason="", *, actor: Actor = None,
           now: datetime | None = None) -> RoomBooking:
    now = now or utcnow()
    booking = _locked(booking)
    if not booking.is_live:
        raise Conflict(_l("This booking is not active."), "not_live")
    if as_utc(booking.ends_at) <= now:
        raise Conflict(_l("This booking is over."), "booking_over")
    booking.status = "cancelled"
    booking.reason = clean_text(reason, "reason", LABELS["reason"], REASON_MAX)
    booking.decided_at = now
    booking.decided_by = actors.admin_label(actor) or _who(booking)
    db.session.flush()
    audit.record("room.cancel", booking, actor=actor or _who(booking), reason=booking.reason)
    return booking


def bookings(room: Room, *, since: datetime, until: datetime,
             live_only: bool = False) -> list[RoomBooking]:
    query = select(RoomBooking).where(RoomBooking.room_id == room.id,
                                      RoomBooking.ends_at > since,
                                      RoomBooking.starts_at < until)
    if live_only:
        query = query.where(RoomBooking.status.in_(LIVE_STATES))
    return list(db.session.scalars(query.order_by(RoomBooking.starts_at)))


def waiting(root: Site) -> list[RoomBooking]:
    """Requests in an admin's part of the network that wait for a decision."""
    return list(db.session.scalars(
        select(RoomBooking).join(Room, Room.id == RoomBooking.room_id)
        .join(Site, Site.id == Room.site_id)
        .where(Site.path.startswith(root.path, autoescape=True),
               RoomBooking.status == "requested")
        .order_by(RoomBooking.starts_at).limit(500)))


@dataclass(frozen=True)
class Day:
    day: date
    open: bool
    taken: list[RoomBooking]


def week_ahead(room: Room, *, now: datetime | None = None, days: int = 7) -> list[Day]:
    """The next days, each with whether the room opens and what is already taken."""
    now = now or utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    since, _ = local_day_bounds(today)
    _, until = local_day_bounds(today + timedelta(days=days - 1))
    live = bookings(room, since=since, until=until, live_only=True)
    out = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        start, end = local_day_bounds(day)
        out.append(Day(day, str(day.isoweekday()) in room.open_weekdays,
                       [b for b in live if as_utc(b.starts_at) < end
                        and as_utc(b.ends_at) > start]))
    return out


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="room-booking")


def booking_token(booking: RoomBooking) -> str:
    return _serializer().dumps(booking.id)


def booking_from_token(token: str) -> RoomBooking:
    try:
        booking_id = _serializer().loads(token)
    except BadSignature:
        booking_id = None
    if not isinstance(booking_id, int):
        raise NotFound(_l("This booking link is not valid."), "booking_link_invalid")
    return get_booking(booking_id)
