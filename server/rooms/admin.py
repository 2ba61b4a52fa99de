"""Dashboard pages: the function rooms of an admin's subtree, requests waiting for approval,
a room's bookings (approve, reject, cancel, book for someone), a new room, the export."""

from __future__ import annotations

from datetime import time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from ..core.auth import current_user, login_required, require_site
from ..core.csvfile import csv_download
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.forms import ReasonForm
from ..core.i18n import _, _l
from ..core.timeutil import local, utcnow
from ..sites.picker import UNIT_KINDS, picked_site
from . import operations as ops
from .mobile import STATE_WORDS
from .models import ZONES

bp = Blueprint("rooms_admin", __name__, url_prefix="/admin/rooms", template_folder="templates")


class RoomForm(FlaskForm):
    building_id = StringField(_l("Building"))
    name = StringField(_l("Room name"))
    zone = StringField(_l("Function zone"))
    capacity = StringField(_l("Capacity"))
    opens = StringField(_l("Opens"))
    closes = StringField(_l("Closes"))
    description = TextAreaField(_l("Description"))
    needs_approval = BooleanField(_l("Bookings wait for approval"), default=True)


class AdminBookingForm(FlaskForm):
    starts_at = StringField(_l("Start"))
    ends_at = StringField(_l("End"))
    purpose = StringField(_l("What for"))
    attendees = StringField(_l("How many people"))
    contact_name = StringField(_l("Contact"))


def _clock(value: str, field: str) -> time:
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_l("Please give a time like 09:00."), "invalid_time",
                              field=field) from None


@bp.route("/", methods=["GET", "POST"])
@login_required
def listing():
    root = current_user().site
    form = RoomForm()
    error = None
    if form.validate_on_submit():
        try:
            room = ops.create_room(
                building=picked_site(form.building_id.data, kinds=UNIT_KINDS,
                                     field="building_id"),
                name=form.name.data, zone=form.zone.data, capacity=form.capacity.data,
                description=form.description.data, opens=_clock(form.opens.data, "opens"),
                closes=_clock(form.closes.data, "closes"),
                weekdays="".join(request.form.getlist("weekdays")),
                needs_approval=bool(form.needs_approval.data), actor=current_user())
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Added “%(name)s”.", name=room.name), "success")
            return redirect(url_for(".show", room_id=room.id))
    status = error.status if error else (400 if form.errors else 200)
    return render_template("rooms/admin_list.html", rooms=ops.rooms(root, active_only=False),
                           waiting=ops.waiting(root), zones=ZONES, form=form, error=error,
                           hours=ops.opening_text,
                           reason_form=ReasonForm()), status


def _scoped_room(room_id: int):
    room = ops.get_room(room_id)
    require_site(room.site_id, missing=NotFound(_l("No such room."), "room_not_found"))
    return room


@bp.get("/<int:room_id>")
@login_required
def show(room_id: int):
    room = _scoped_room(room_id)
    now = utcnow()
    return render_template("rooms/admin_show.html", room=room, hours=ops.opening_text(room),
                           bookings=ops.bookings(room, since=now - timedelta(days=30),
                                                 until=now + ops.AHEAD),
                           words=STATE_WORDS, form=AdminBookingForm(),
                           reason_form=ReasonForm())


@bp.post("/<int:room_id>/book")
@login_required
def book(room_id: int):
    room = _scoped_room(room_id)
    form = AdminBookingForm()
    if form.validate_on_submit():
        try:
            ops.book(room, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
                     purpose=form.purpose.data, attendees=form.attendees.data,
                     contact_name=form.contact_name.data, channel="admin",
                     actor=current_user())
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("Booked."), "success")
    return redirect(url_for(".show", room_id=room.id))


def _act(booking_id: int, work):
    booking = ops.get_booking(booking_id)
    require_site(booking.room.site_id,
                 missing=NotFound(_l("No such booking."), "booking_not_found"))
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            work(booking, form.reason.data)
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("Saved."), "success")
    return redirect(request.form.get("next") or url_for(".show", room_id=booking.room_id))


@bp.post("/bookings/<int:booking_id>/approve")
@login_required
def approve(booking_id: int):
    return _act(booking_id, lambda b, r: ops.decide(b, True, r, actor=current_user()))


@bp.post("/bookings/<int:booking_id>/reject")
@login_required
def reject(booking_id: int):
    return _act(booking_id, lambda b, r: ops.decide(b, False, r, actor=current_user()))


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    return _act(booking_id, lambda b, r: ops.cancel(b, r, actor=current_user()))


@bp.get("/export.csv")
@login_required
def export():
    root = current_user().site
    now = utcnow()
    rows = []
    for room in ops.rooms(root, active_only=False):
        for b in ops.bookings(room, since=now - timedelta(days=366), until=now + ops.AHEAD):
            rows.append([room.name, room.zone, local(b.starts_at), local(b.ends_at), b.purpose,
                         b.attendees, b.contact_name, b.masked_phone,
                         b.team.name if b.team else "", str(STATE_WORDS[b.status])])
    return csv_download("room-bookings.csv",
                        [_("Room"), _("Function zone"), _("Start"), _("End"), _("What for"),
                         _("How many people"), _("Contact"), _("Mobile number"), _("Team"),
                         _("State")], rows)
