"""Phone pages: sign in/out by the kiosk's presence code or the poster, the result, my shifts."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..codes.operations import CodeRejected
from ..core import limits
from ..core.audit import record
from ..core.db import discard_work, mark_failed
from ..core.errors import DomainError
from ..core.timeutil import utcnow
from ..extensions import db, limiter
from ..volunteers.auth import current_volunteer, volunteer_login_required
from . import ways
from .models import Shift
from .totals import shift_totals

bp = Blueprint("shifts_mobile", __name__, template_folder="templates")


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _refused(error: DomainError):
    if isinstance(error, CodeRejected):
        # A rejected poster code: the attempt is undone, its audit entry kept (committed by
        # the web layer), as on the landing page.
        discard_work()
        record("code.rejected", actor="phone", reason=error.reason, text=request.path[:160])
    else:
        mark_failed()  # nothing of the refused attempt is kept
    return render_template("shifts/phone_refused.html", error=error), error.status


def _done(result):
    return redirect(url_for(".result", shift_id=result.shift_id, a=result.action))


def _by_volunteer() -> str:
    """Presence codes are guessed from one phone session: count per volunteer, whatever the
    address (a phone moves between networks)."""
    volunteer = current_volunteer()
    return f"volunteer:{volunteer.id}" if volunteer is not None else limits.by_address()


@bp.get("/P/<token>")
@bp.get("/p/<token>")
@volunteer_login_required
def presence(token: str):
    """A link preview must not sign anyone in: the page posts itself (a button without JS)."""
    return render_template("shifts/phone_presence.html", token=token, form=ConfirmForm()), 200, \
        {"Cache-Control": "no-store"}


@bp.post("/P/<token>")
@bp.post("/p/<token>")
@limiter.limit("30 per minute")
@limiter.limit(limits.limit("RATELIMIT_PRESENCE"), key_func=_by_volunteer)
@volunteer_login_required
def presence_sign(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    text = current_app.config["BASE_URL"].rstrip("/") + "/P/" + token
    try:
        result = ways.sign_by_presence(current_volunteer(), text)
    except DomainError as error:
        return _refused(error)
    return _done(result)


@bp.post("/v/shifts/poster/<token>")
@limiter.limit("30 per minute")
@volunteer_login_required
def poster_sign(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = ways.sign_by_poster(current_volunteer(), token)
    except DomainError as error:
        return _refused(error)
    return _done(result)


@bp.get("/v/shifts/result/<int:shift_id>")
@volunteer_login_required
def result(shift_id: int):
    shift = db.session.get(Shift, shift_id)
    if shift is None or shift.volunteer_id != current_volunteer().id:
        abort(404)
    action = request.args.get("a")
    if action not in ("in", "out", "noop"):
        action = "in" if shift.ended_at is None else "out"
    return render_template("shifts/phone_result.html", shift=shift, action=action,
                           volunteer=current_volunteer())


@bp.get("/v/shifts/")
@volunteer_login_required
def mine():
    volunteer = current_volunteer()
    shifts = list(db.session.scalars(select(Shift).where(Shift.volunteer_id == volunteer.id)
                                      .order_by(Shift.started_at.desc()).limit(100)))
    return render_template("shifts/phone_mine.html", shifts=shifts, volunteer=volunteer,
                           totals=shift_totals(volunteer, utcnow()))
