"""Phone pages: book a room from the poster on its door (residents by phone number, volunteers
by their phone session, maybe for their team), the booking's own page, the room's calendar,
and the section on the room's landing page."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField

from ..activities.display import day_text
from ..core.db import mark_failed
from ..core.errors import DomainError, ValidationError
from ..core.forms import ActionForm
from ..core.i18n import _, _l
from ..core.ical import FeedEvent, feed_response
from ..core.timeutil import LOCAL_TZ, utcnow
from ..extensions import limiter
from ..volunteers.auth import current_volunteer
from ..volunteers.teams import teams_of
from . import operations as ops

bp = Blueprint("rooms_mobile", __name__, template_folder="templates")


class BookingForm(FlaskForm):
    day = StringField(_l("Day"))
    starts = StringField(_l("Start time"))
    ends = StringField(_l("End time"))
    purpose = StringField(_l("What for"))
    attendees = StringField(_l("How many people"))
    contact_name = StringField(_l("Your name"))
    phone = StringField(_l("Mobile number"))
    team_id = StringField(_l("For my team"))


def _rate_limit() -> str:
    return current_app.config["ROOMS_RATELIMIT"]


def _moment(day: str, clock: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(f"{(day or '').strip()}T{(clock or '').strip()}")
    except ValueError:
        raise ValidationError(_l("Please choose the day and the time."), "invalid_time",
                              field=field) from None
    return value.replace(tzinfo=LOCAL_TZ)


def _page(room, form, *, error=None, status=200):
    volunteer = current_volunteer()
    return render_template("rooms/phone_book.html", room=room, form=form, error=error,
                           volunteer=volunteer,
                           teams=[m.team for m in teams_of(volunteer)] if volunteer else [],
                           days=ops.week_ahead(room), hours=ops.opening_text(room),
                           day_text=day_text), status


@bp.route("/rooms/<int:room_id>/book", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def book(room_id: int):
    room = ops.get_room(room_id)
    form = BookingForm()
    if request.method == "GET":
        tomorrow = (utcnow().astimezone(LOCAL_TZ) + timedelta(days=1)).date()
        form.day.data = request.args.get("day") or tomorrow.isoformat()
        form.starts.data, form.ends.data = "09:00", "10:30"
        form.attendees.data = "10"
        return _page(room, form)
    if not form.validate_on_submit():
        return _page(room, form, status=400)
    volunteer = current_volunteer()
    try:
        team = None
        if volunteer is not None and form.team_id.data:
            team = next((t for t in (m.team for m in teams_of(volunteer))
                         if str(t.id) == form.team_id.data), None)
            if team is None:
                raise ValidationError(_l("You can only book for a team you belong to."),
                                      "not_a_member", field="team_id")
        booking = ops.book(room, starts_at=_moment(form.day.data, form.starts.data, "starts"),
                           ends_at=_moment(form.day.data, form.ends.data, "ends"),
                           purpose=form.purpose.data, attendees=form.attendees.data,
                           contact_name=form.contact_name.data, phone=form.phone.data,
                           volunteer=volunteer, team=team)
    except DomainError as exc:
        mark_failed()
        return _page(room, form, error=exc, status=exc.status)
    return redirect(url_for(".booking", token=ops.booking_token(booking)))


STATE_WORDS = {"requested": _l("Waiting for the unit’s approval"),
               "confirmed": _l("Booking confirmed"), "rejected": _l("Not approved"),
               "cancelled": _l("Cancelled")}


def _booking_page(booking, token, *, error=None, status=200):
    from ..activities.display import when_text

    return render_template("rooms/phone_booking.html", booking=booking, token=token,
                           room=booking.room, words=STATE_WORDS, form=ActionForm(),
                           error=error, when=when_text(booking.starts_at, booking.ends_at,
                                                       year=True)), status


@bp.get("/rooms/b/<token>")
def booking(token: str):
    return _booking_page(ops.booking_from_token(token), token)


@bp.post("/rooms/b/<token>/cancel")
def cancel(token: str):
    booking = ops.booking_from_token(token)
    if ActionForm().validate_on_submit():
        try:
            ops.cancel(booking, _("Cancelled by the booker."))
        except DomainError as exc:
            mark_failed()
            return _booking_page(booking, token, error=exc, status=exc.status)
    return redirect(url_for(".booking", token=token))


@bp.get("/calendar/room/<int:room_id>.ics")
def room_feed(room_id: int):
    """The room's live bookings (who booked is not published: only the purpose)."""
    room = ops.get_room(room_id)
    now = utcnow()
    events = [FeedEvent(uid=f"room-booking-{b.id}@wenming", starts_at=b.starts_at,
                        ends_at=b.ends_at, summary=f"{room.name}: {b.purpose}",
                        location=" ".join(filter(None, [room.name, room.site.address])),
                        tentative=b.status == "requested", updated_at=b.decided_at)
              for b in ops.bookings(room, since=now - timedelta(days=30),
                                    until=now + ops.AHEAD, live_only=True)]
    return feed_response(_("Bookings of %(room)s", room=room.name), events,
                         f"room-{room.id}.ics")


def landing_section(site) -> Markup | None:
    room = ops.room_at(site)
    if room is None or not room.is_active:
        return None
    return Markup(render_template("rooms/_landing.html", room=room,
                                  hours=ops.opening_text(room)))
