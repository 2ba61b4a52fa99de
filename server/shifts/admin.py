"""Dashboard pages: shifts with filters, approvals, admin entry and the hours policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import String, cast, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice, SelectField, StringField

from ..core.auth import authorize, current_user, login_required, require_site
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.export import (
    LocalTime,
    export_format,
    export_response,
    full_records_allowed,
    stream,
)
from ..core.i18n import _, _l
from ..core.paging import date_range, paginate
from ..core.timeutil import LOCAL_TZ
from ..core.web import refusal_flashed
from ..extensions import db
from ..sites.models import Site
from ..volunteers import teams
from ..volunteers.models import Team, TeamMember, Volunteer, mask_name
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
               "admin_entry": _l("entered by an admin"),
               "end_unverified": _l("signed out on the poster")}


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                    SelectChoice("reject", _l("Reject"))])
    reason = StringField(_l("Reason"))


class EntryForm(FlaskForm):
    number = StringField(_l("Volunteer number"))
    site_id = StringField(_l("Site"))
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


def _team(value: str) -> Team | None:
    """The team a `team=` filter names; one that does not exist is a 404, as a missing site."""
    return teams.get_team(value) if value.strip() else None


def _filtered(args):
    """The shifts the filters ask for, in the admin's subtree, newest first (a query)."""
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
    if day:  # one day, as links from the overview ask
        try:
            start = datetime.fromisoformat(day).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            flash(_("Enter a date like 2026-11-29."), "error")
        else:
            query = query.where(Shift.started_at >= start,
                                Shift.started_at < start + timedelta(days=1))
    query = date_range(args).apply(query, Shift.started_at)
    team = _team(args.get("team", ""))
    if team is not None:  # its members' shifts, as the reports page counts a team's hours
        query = query.where(Shift.volunteer_id.in_(
            select(TeamMember.volunteer_id).where(TeamMember.team_id == team.id)))
    if args.get("review") in REVIEW_STATES:
        query = query.where(Shift.review == args["review"])
    flag = args.get("flag")
    if flag in FLAG_LABELS:  # a JSON list of codes: its text holds the code in quotes
        query = query.where(cast(Shift.flags, String).contains(f'"{flag}"'))
    return query.order_by(Shift.started_at.desc(), Shift.id.desc()), scope


@bp.get("/")
@login_required
def listing():
    fmt = export_format(request.args)
    query, scope = _filtered(request.args)
    if fmt:
        return _export(query, fmt)
    page = paginate(query, request.args)
    return render_template("shifts/admin_list.html", shifts=page.items, page=page, scope=scope,
                           team=_team(request.args.get("team", "")),
                           without_team={k: v for k, v in request.args.items() if k != "team"},
                           args=request.args, review_labels=REVIEW_LABELS,
                           flag_labels=FLAG_LABELS, method_labels=METHOD_LABELS,
                           review_form=ReviewForm())


def _export(query, fmt: str):
    """The page's selection as columns, not objects (`query` joins the Site and the Volunteer);
    labels are looked up in dicts made once, in the reader's language."""
    full = full_records_allowed(request.args)
    header = [_("Volunteer number"), _("Volunteer"), _("Site"), _("Start"), _("End"),
              _("Minutes"), _("How"), _("Review"), _("Flags")]
    when = LocalTime()
    columns = query.with_only_columns(
        Volunteer.number, Volunteer.name, Site.name, when.column(Shift.started_at),
        when.column(Shift.ended_at),
        Shift.credited_minutes, Shift.start_method, Shift.end_method, Shift.review,
        Shift.flags)
    methods = {code: str(label) for code, label in METHOD_LABELS.items()}
    reviews = {code: str(label) for code, label in REVIEW_LABELS.items()}
    flags = {code: str(label) for code, label in FLAG_LABELS.items()}
    on_duty = str(_("on duty"))

    def rows():
        result = stream(columns)
        for (number, name, site_name, started, ended, minutes, start_method, end_method,
             review, codes) in result:
            how = methods.get(start_method) or str(start_method)
            if end_method and end_method != start_method:
                how += " / " + (methods.get(end_method) or str(end_method))
            yield (number, name if full else mask_name(name), site_name, when.text(started),
                   when.text(ended), minutes, how,
                   on_duty if ended is None else reviews[review],
                   "、".join(flags.get(f) or str(f) for f in codes) if codes else "")

    return export_response("shifts", fmt, header, rows, title=_("Shifts"), full_records=full)


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
    require_site(shift.site_id, missing=NotFound(_l("No such shift."), "shift_not_found"))
    form = ReviewForm()
    if form.validate_on_submit():
        with refusal_flashed():
            ops.review(shift, form.decision.data == "approve", form.reason.data or "",
                       actor=current_user())
            flash(_("Approved.") if form.decision.data == "approve" else _("Rejected."),
                  "success")
    return redirect(request.form.get("next") or url_for(".approvals"))


@bp.post("/review/bulk")
@login_required
def decide_many():
    """Approve or reject the selected pending shifts with one reason (a rejection needs
    one). Each shift is checked on its own: one outside the subtree or no longer pending is
    skipped and counted, never decided."""
    form = ReviewForm()
    ids = [int(v) for v in request.form.getlist("shift") if v.isdigit()][:200]
    if form.validate_on_submit() and ids:
        approve = form.decision.data == "approve"
        done = skipped = 0
        root = current_user().site
        try:
            for shift in db.session.scalars(select(Shift).where(Shift.id.in_(ids))
                                            .order_by(Shift.id)):
                if not root.contains(shift.site) or shift.review != "pending" or \
                        shift.ended_at is None:
                    skipped += 1
                    continue
                ops.review(shift, approve, form.reason.data or "", actor=current_user())
                done += 1
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            skipped += len(ids) - done - skipped
            flash((_("Approved %(n)d shifts.", n=done) if approve else
                   _("Rejected %(n)d shifts.", n=done)) +
                  (" " + _("%(n)d could not be decided.", n=skipped) if skipped else ""),
                  "success")
    elif not ids:
        flash(_("Select the shifts first."), "error")
    back = request.form.get("next") or ""
    return redirect(back if back.startswith("/") and not back.startswith("//")
                    else url_for(".approvals"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def entry():
    form = EntryForm()
    error = None
    if form.validate_on_submit():
        try:
            # Both the volunteer and the site must lie in the admin's subtree; one outside
            # is answered as a missing one (hours are points: no credit across the network).
            missing = NotFound(_l("No volunteer with this number."), "volunteer_not_found",
                               field="number")
            volunteer = db.session.scalar(select(Volunteer).where(
                Volunteer.number == (form.number.data or "").strip().upper()))
            if volunteer is None:
                raise missing
            authorize(volunteer.home_site, missing=missing)
            if not (form.site_id.data or "").strip().isdigit():
                raise ValidationError(_l("Choose the site."), "required", field="site_id")
            site = require_site(int(form.site_id.data), missing=NotFound(
                _l("No such site."), "site_not_found", field="site_id"))
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


SITE_PANEL_ROWS = 10


def site_panel(site):
    """The site page's shifts panel: the latest shifts here and below, in words, and the
    way to the full list filtered to this site."""
    from markupsafe import Markup

    shifts = db.session.scalars(
        select(Shift).join(Site, Shift.site_id == Site.id)
        .where(Site.path.startswith(site.path, autoescape=True))
        .options(joinedload(Shift.volunteer), joinedload(Shift.site))
        .order_by(Shift.started_at.desc(), Shift.id.desc()).limit(SITE_PANEL_ROWS)).all()
    return Markup(render_template("shifts/_site_panel.html", site=site, shifts=shifts,
                                  review_labels=REVIEW_LABELS, method_labels=METHOD_LABELS))
