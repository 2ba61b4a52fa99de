"""Dashboard pages: shifts with filters, approvals, admin entry and the hours policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField

from ..core.auth import current_user, login_required, require_site
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.i18n import _, _l
from ..core.timeutil import LOCAL_TZ
from ..core.web import refusal_flashed
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer
from . import operations as ops
from .models import REVIEW_STATES, Shift
from .policy import FIELDS, policy_for, set_policy

bp = Blueprint("shifts_admin", __name__, url_prefix="/admin/shifts", template_folder="templates")

REVIEW_LABELS = {"none": _l("counted"), "pending": _l("waiting for review"),
                 "approved": _l("approved"), "rejected": _l("rejected")}
METHOD_LABELS = {"kiosk": _l("kiosk card"), "presence": _l("phone at kiosk"),
                 "poster": _l("phone at poster"), "admin": _l("admin entry"),
                 "rule": _l("closed by rule")}
FLAG_LABELS = {"unverified": _l("unverified presence"), "clock_skew": _l("kiosk clock off"),
               "moved": _l("closed by sign-in elsewhere"), "auto_closed": _l("closed by rule"),
               "admin_entry": _l("entered by an admin")}


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                    SelectChoice("reject", _l("Reject"))])
    reason = StringField(_l("Reason"))


class EntryForm(FlaskForm):
    number = StringField(_l("Volunteer number"))
    site_id = StringField(_l("Site number"), render_kw={"inputmode": "numeric"})
    started_at = StringField(_l("Start"), render_kw={"type": "datetime-local"})
    ended_at = StringField(_l("End (empty: still there)"), render_kw={"type": "datetime-local"})
    reason = StringField(_l("Reason"))


_NUMBER = {"inputmode": "numeric"}


class PolicyForm(FlaskForm):
    rounding_minutes = SelectField(_l("Round to"), validate_choice=False, choices=[
        SelectChoice(str(n), _l("%(n)d minutes", n=n)) for n in (1, 5, 10, 15, 30)])
    daily_cap_minutes = StringField(_l("Daily cap (minutes)"), render_kw=_NUMBER)
    max_shift_minutes = StringField(_l("Longest shift before it is closed by rule (minutes)"),
                                    render_kw=_NUMBER)
    forgotten_credit_minutes = StringField(_l("Minutes credited for a forgotten sign-out"),
                                           render_kw=_NUMBER)


def _local(value: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        raise ValidationError(_l("Enter a date and time."), "invalid_time", field=field) from None


def _filtered(args):
    root = current_user().site
    query = (select(Shift).join(Site, Shift.site_id == Site.id)
             .join(Volunteer, Shift.volunteer_id == Volunteer.id))
    site_id = args.get("site", type=int)
    scope = require_site(site_id) if site_id else root
    query = query.where(Site.path.startswith(scope.path, autoescape=True))
    text = (args.get("volunteer") or "").strip()
    if text:
        query = query.where((Volunteer.number == text.upper()) | Volunteer.name.contains(text))
    day = args.get("date", "")
    if day:
        try:
            start = datetime.fromisoformat(day).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            flash(_("Enter a date like 2026-11-29."), "error")
        else:
            query = query.where(Shift.started_at >= start,
                                Shift.started_at < start + timedelta(days=1))
    if args.get("review") in REVIEW_STATES:
        query = query.where(Shift.review == args["review"])
    flag = args.get("flag")
    shifts = list(db.session.scalars(query.order_by(Shift.started_at.desc()).limit(
        2000 if flag else 200)))
    if flag in FLAG_LABELS:  # JSON lists: filtered here, the same on both databases
        shifts = [s for s in shifts if flag in (s.flags or [])][:200]
    return shifts, scope


@bp.get("/")
@login_required
def listing():
    shifts, scope = _filtered(request.args)
    return render_template("shifts/admin_list.html", shifts=shifts, scope=scope,
                           args=request.args, review_labels=REVIEW_LABELS,
                           flag_labels=FLAG_LABELS, method_labels=METHOD_LABELS,
                           review_form=ReviewForm())


@bp.get("/review")
@login_required
def approvals():
    return redirect(url_for(".listing", review="pending", **{
        k: v for k, v in request.args.items() if k != "review"}))


@bp.post("/<int:shift_id>/review")
@login_required
def decide(shift_id: int):
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(_l("No such shift."), "shift_not_found")
    require_site(shift.site_id)
    form = ReviewForm()
    if form.validate_on_submit():
        with refusal_flashed():
            ops.review(shift, form.decision.data == "approve", form.reason.data or "",
                       actor=current_user())
            flash(_("Approved.") if form.decision.data == "approve" else _("Rejected."),
                  "success")
    return redirect(request.form.get("next") or url_for(".approvals"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def entry():
    form = EntryForm()
    error = None
    if form.validate_on_submit():
        try:
            volunteer = db.session.scalar(select(Volunteer).where(
                Volunteer.number == (form.number.data or "").strip().upper()))
            if volunteer is None:
                raise NotFound(_l("No volunteer with this number."), "volunteer_not_found",
                               field="number")
            if not (form.site_id.data or "").strip().isdigit():
                raise ValidationError(_l("Enter the site number."), "required", field="site_id")
            site = require_site(int(form.site_id.data))
            started = _local(form.started_at.data, "started_at")
            if started is None:
                raise ValidationError(_l("Enter the start."), "required", field="started_at")
            shift = ops.admin_entry(volunteer, site, started, _local(form.ended_at.data,
                                                                     "ended_at"),
                                    form.reason.data or "", actor=current_user())
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Shift recorded."), "success")
            return redirect(url_for(".listing", volunteer=shift.volunteer.number))
    status = error.status if error else (400 if form.errors else 200)
    return render_template("shifts/admin_entry.html", form=form, error=error), status


@bp.route("/policy/<int:site_id>", methods=["GET", "POST"])
@login_required
def policy(site_id: int):
    site = require_site(site_id)
    current = policy_for(site)
    form = PolicyForm(data={f: str(getattr(current, f)) for f in FIELDS})
    error = None
    if request.method == "POST":
        form = PolicyForm()
        if form.validate_on_submit():
            try:
                set_policy(site, actor=current_user(), **{f: getattr(form, f).data
                                                          for f in FIELDS})
            except DomainError as exc:
                mark_failed()
                error = exc
            else:
                flash(_("Saved. It applies to this site and everything below it."), "success")
                return redirect(url_for(".policy", site_id=site.id))
        else:
            error = ValidationError(_l("The form expired. Please try again."), "csrf_failed")
    source = db.session.get(Site, current.site_id) if current.site_id else None
    return render_template("shifts/admin_policy.html", site=site, form=form, error=error,
                           source=source), error.status if error else 200
