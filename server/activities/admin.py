"""Dashboard pages: the activities of an admin's subtree (list, export, create, edit, cancel,
roster and attendance), the Friday activity day helper, monthly themes, and the counts."""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, StringField, TextAreaField

from ..core.auth import current_user, login_required, require_site
from ..core.csvfile import csv_download
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.fields import parse_month
from ..core.forms import ReasonForm
from ..core.i18n import _, _l
from ..core.schema import parse_id
from ..core.timeutil import LOCAL_TZ, as_utc, local, utcnow
from ..extensions import db
from ..honors.models import Honoree
from ..orders.models import BRANDS, CONTENT_AREAS
from ..projects.models import FeaturedProject
from ..projects.operations import completion
from ..sites.picker import UNIT_KINDS, picked_site
from ..volunteers import teams
from . import attendance, signups, stats
from . import operations as ops
from .display import month_text, when_text

bp = Blueprint("activities_admin", __name__, url_prefix="/admin/activities",
               template_folder="templates")

PAGE = 50


class ActivityForm(FlaskForm):
    title = StringField(_l("Title"))
    site_id = StringField(_l("Site"))
    brand = StringField(_l("Project brand"))
    content_area = StringField(_l("Content area"))
    starts_at = StringField(_l("Start"))
    ends_at = StringField(_l("End"))
    capacity = StringField(_l("Places (empty: no limit)"))
    team_id = StringField(_l("Organising team"))
    project_id = StringField(_l("Featured project"))
    honoree_id = StringField(_l("Talk by a model of good conduct"))
    description = TextAreaField(_l("Description"))
    is_public = BooleanField(_l("Residents may register"), default=True)


class FridayForm(FlaskForm):
    month = StringField(_l("Month"))
    title = StringField(_l("Title"))
    brand = StringField(_l("Project brand"))
    content_area = StringField(_l("Content area"))
    starts = StringField(_l("Start time"))
    ends = StringField(_l("End time"))
    capacity = StringField(_l("Places (empty: no limit)"))
    description = TextAreaField(_l("Description"))


class ThemeForm(FlaskForm):
    site_id = StringField(_l("Unit"))
    month = StringField(_l("Month"))
    title = StringField(_l("Theme"))
    description = TextAreaField(_l("Description"))


def _optional(model, value, code: str):
    number = parse_id(value) if value else None
    if not value:
        return None
    row = db.session.get(model, number) if number else None
    if row is None:
        raise ValidationError(_l("Please choose from the list."), code)
    return row


def _team(value):
    """An organising team the admin's unit may name (its own or one serving it), else none."""
    return teams.require_usable(value, current_user().site) if value else None


def _choices() -> dict:
    return {"brands": BRANDS, "areas": CONTENT_AREAS,
            "teams": teams.usable_by(current_user().site),
            "projects": list(db.session.scalars(select(FeaturedProject).where(
                FeaturedProject.is_active.is_(True)).order_by(FeaturedProject.name))),
            "honorees": list(db.session.scalars(select(Honoree).where(
                Honoree.status == "approved").order_by(Honoree.name)))}


def _month_arg() -> date | None:
    raw = request.args.get("month", "")
    if not raw:
        return None
    try:
        return parse_month(raw)
    except ValidationError as error:
        flash(str(error.message), "error")
        return None


def _filters() -> dict:
    brand = request.args.get("brand") or None
    area = request.args.get("area") or None
    return {"month": _month_arg(), "brand": brand if brand in BRANDS else None,
            "content_area": area if area in CONTENT_AREAS else None}


@bp.get("/")
@login_required
def listing():
    root = current_user().site
    filters = _filters()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    rows, total = ops.listing(root, **filters, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("activities/admin_list.html", activities=rows, total=total,
                           page=page, pages=max(1, -(-total // PAGE)), filters=filters,
                           brands=BRANDS, areas=CONTENT_AREAS, when=when_text,
                           month_value=filters["month"].strftime("%Y-%m")
                           if filters["month"] else "")


@bp.get("/export.csv")
@login_required
def export():
    root = current_user().site
    rows, _total = ops.listing(root, **_filters(), limit=20_000)
    linked = attendance.linked_in(rows, subtree=root)
    confirmed = signups.confirmed_counts([a.id for a in rows])
    header = [_("Title"), _("Site"), _("Start"), _("End"), _("Project brand"),
              _("Content area"), _("Theme"), _("Featured project"), _("Places"),
              _("Confirmed"), _("Volunteers attending"), _("Hours"), _("Status")]
    body = []
    for a in rows:
        signs = linked.get(a.id, [])
        body.append([a.title, a.site.name, local(a.starts_at), local(a.ends_at), a.brand,
                     a.content_area, a.theme.title if a.theme else "",
                     a.project.name if a.project else "", a.capacity or "",
                     confirmed.get(a.id, 0), len({s.volunteer_id for s in signs}),
                     round(sum(s.counted_minutes for s in signs) / 60, 1),
                     _("cancelled") if a.is_cancelled else _("scheduled")])
    return csv_download("activities.csv", header, body)


def _form_values(form: ActivityForm) -> dict:
    return {"title": form.title.data, "brand": form.brand.data,
            "content_area": form.content_area.data, "starts_at": form.starts_at.data,
            "ends_at": form.ends_at.data, "capacity": form.capacity.data,
            "description": form.description.data, "is_public": bool(form.is_public.data)}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = ActivityForm()
    error = None
    if form.validate_on_submit():
        try:
            values = _form_values(form)
            activity = ops.create_activity(
                site=picked_site(form.site_id.data),
                team=_team(form.team_id.data),
                project=_optional(FeaturedProject, form.project_id.data, "project_not_found"),
                honoree=_optional(Honoree, form.honoree_id.data, "honoree_not_found"),
                actor=current_user(), **values)
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Created “%(title)s”.", title=activity.title), "success")
            return redirect(url_for(".show", activity_id=activity.id))
    elif request.method == "GET":
        form.site_id.data = request.args.get("site_id", "")
    status = error.status if error else (400 if form.errors else 200)
    return render_template("activities/admin_form.html", form=form, error=error,
                           activity=None, **_choices()), status


def _scoped(activity_id: int):
    activity = ops.get_activity(activity_id)
    require_site(activity.site_id,
                 missing=NotFound(_l("No such activity."), "activity_not_found"))
    return activity


@bp.get("/<int:activity_id>")
@login_required
def show(activity_id: int):
    activity = _scoped(activity_id)
    seen = attendance.of_activity(activity)
    from ..volunteers.models import Volunteer

    names = {v.id: v for v in db.session.scalars(select(Volunteer).where(
        Volunteer.id.in_(seen.volunteers)))} if seen.volunteers else {}
    return render_template("activities/admin_show.html", activity=activity, seen=seen,
                           names=names, roster=signups.roster(activity),
                           confirmed=signups.confirmed_count(activity),
                           when=when_text(activity.starts_at, activity.ends_at, year=True),
                           over=as_utc(activity.ends_at) <= utcnow(),
                           reason_form=ReasonForm())


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    activity = _scoped(activity_id)
    form = ActivityForm(obj=activity)
    error = None
    if form.validate_on_submit():
        values = _form_values(form)
        changes = {k: values[k] for k in ops.EDITABLE}
        try:
            ops.update_activity(activity, actor=current_user(), **changes)
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".show", activity_id=activity.id))
    elif request.method == "GET":
        form.starts_at.data = as_utc(activity.starts_at).astimezone(LOCAL_TZ) \
            .strftime("%Y-%m-%dT%H:%M")
        form.ends_at.data = as_utc(activity.ends_at).astimezone(LOCAL_TZ) \
            .strftime("%Y-%m-%dT%H:%M")
        form.capacity.data = str(activity.capacity or "")
    status = error.status if error else (400 if form.errors else 200)
    return render_template("activities/admin_form.html", form=form, error=error,
                           activity=activity, **_choices()), status


@bp.post("/<int:activity_id>/cancel")
@login_required
def cancel(activity_id: int):
    activity = _scoped(activity_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            ops.cancel_activity(activity, form.reason.data, actor=current_user())
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("The activity was cancelled."), "success")
    return redirect(url_for(".show", activity_id=activity.id))


def _clock(value: str, field: str) -> time:
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_l("Please give a time like 09:00."), "invalid_time",
                              field=field) from None


@bp.route("/friday", methods=["GET", "POST"])
@login_required
def friday():
    """The Friday activity day: every Friday of a month, each station its own activity."""
    form = FridayForm()
    root = current_user().site
    error = None
    result = None
    if request.method == "GET":
        form.month.data = ops.local_month(utcnow()).strftime("%Y-%m")
        form.starts.data, form.ends.data = "09:00", "11:30"
        form.title.data = _("Friday activity day")
    if form.validate_on_submit():
        try:
            site = picked_site(request.form.get("site_id") or root.id, kinds=UNIT_KINDS)
            month = parse_month(form.month.data)
            result = ops.friday_days(
                site, month, title=form.title.data, brand=form.brand.data,
                content_area=form.content_area.data, starts=_clock(form.starts.data, "starts"),
                ends=_clock(form.ends.data, "ends"), capacity=form.capacity.data or None,
                description=form.description.data, actor=current_user())
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("%(added)d activities added, %(already)d were there already.",
                    added=result[0], already=result[1]), "success")
            return redirect(url_for(".listing", month=form.month.data))
    status = error.status if error else (400 if form.errors else 200)
    return render_template("activities/admin_friday.html", form=form, error=error,
                           brands=BRANDS, areas=CONTENT_AREAS), status


@bp.route("/themes", methods=["GET", "POST"])
@login_required
def themes():
    root = current_user().site
    form = ThemeForm()
    error = None
    if form.validate_on_submit():
        try:
            site = picked_site(form.site_id.data or root.id, kinds=UNIT_KINDS)
            theme = ops.set_theme(site, parse_month(form.month.data), form.title.data,
                                  form.description.data, actor=current_user())
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Theme for %(month)s saved.", month=month_text(theme.month)), "success")
            return redirect(url_for(".themes"))
    elif request.method == "GET":
        form.month.data = ops.local_month(utcnow()).strftime("%Y-%m")
    this = ops.local_month(utcnow())
    months = stats.months_between(date(this.year, 1, 1), date(this.year, 12, 1))
    status = error.status if error else (400 if form.errors else 200)
    return render_template("activities/admin_themes.html", form=form, error=error,
                           themes=ops.themes(root, months),
                           month_text=month_text), status


def _period() -> tuple[date, date]:
    this = ops.local_month(utcnow())
    try:
        first = parse_month(request.args.get("from") or f"{this.year}-01", "from")
        last = parse_month(request.args.get("to") or this.strftime("%Y-%m"), "to")
    except ValidationError as error:
        flash(str(error.message), "error")
        first, last = date(this.year, 1, 1), this
    if last < first:
        first, last = last, first
    months = stats.months_between(first, last)[-36:]
    return months[0], months[-1]


@bp.get("/stats")
@login_required
def counts():
    root = current_user().site
    first, last = _period()
    result = stats.counts(root, first, last)
    claims = completion(stats.months_between(first, last), root)
    return render_template("activities/admin_stats.html", root=root, counts=result,
                           claims=claims, first=first.strftime("%Y-%m"),
                           last=last.strftime("%Y-%m"), month_text=month_text)


@bp.get("/stats.csv")
@login_required
def counts_export():
    root = current_user().site
    first, last = _period()
    result = stats.counts(root, first, last)
    header = [_("Grouped by"), _("Group"), _("Activities"), _("Held"),
              _("Volunteers attending"), _("Residents registered"), _("Participants"),
              _("Hours")]
    rows = []
    for label, groups in ((_("Total"), {root.name: result.total}),
                          (_("Project brand"), result.by_brand),
                          (_("Content area"), result.by_area), (_("Unit"), result.by_unit),
                          (_("Month"), result.by_month)):
        for name, t in groups.items():
            rows.append([label, name, t.activities, t.held, t.volunteer_attendances,
                         t.resident_registrations, t.participants, t.hours])
    return csv_download(f"rhythm-{first:%Y%m}-{last:%Y%m}.csv", header, rows)



