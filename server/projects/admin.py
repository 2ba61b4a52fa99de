"""Dashboard pages: the featured projects and the 一月一助 board (claim a project for a month,
report what was delivered, drop a claim), with the hours behind each claim."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..core.auth import authorize, current_user, login_required
from ..core.csvfile import csv_download
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.fields import parse_month, this_month
from ..core.forms import ReasonForm
from ..core.i18n import _, _l
from ..core.schema import parse_id
from ..core.timeutil import utcnow
from ..extensions import db
from ..orders.models import BRANDS, CONTENT_AREAS
from ..sites.picker import UNIT_KINDS, picked_site
from ..volunteers import teams
from ..volunteers.models import Team
from ..volunteers.teams import general_team
from . import operations as ops

bp = Blueprint("projects_admin", __name__, url_prefix="/admin/projects",
               template_folder="templates")


class ProjectForm(FlaskForm):
    name = StringField(_l("Project name"))
    site_id = StringField(_l("Unit"))
    team_id = StringField(_l("Team"))
    brand = StringField(_l("Project brand"))
    content_area = StringField(_l("Content area"))
    description = TextAreaField(_l("Description"))


class ClaimForm(FlaskForm):
    project_id = StringField(_l("Project"))
    # The claimant is a unit (chosen by name) or a volunteer group: one of the two.
    claimant_site = StringField(_l("Claimed by a unit"))
    claimant_team = StringField(_l("or by a volunteer group"))
    plan = TextAreaField(_l("What you plan"))
    sessions_planned = StringField(_l("Sessions planned"))


class DeliveryForm(FlaskForm):
    sessions_delivered = StringField(_l("Sessions delivered"))
    delivered_note = TextAreaField(_l("What was delivered"))


def _scope_teams() -> list[Team]:
    return teams.usable_by(current_user().site)


@bp.route("/", methods=["GET", "POST"])
@login_required
def listing():
    form = ProjectForm()
    error = None
    if form.validate_on_submit():
        try:
            site = picked_site(form.site_id.data, kinds=UNIT_KINDS)
            team = (teams.require_usable(form.team_id.data, current_user().site)
                    if form.team_id.data else None)
            project = ops.create_project(name=form.name.data, site=site, team=team,
                                         brand=form.brand.data,
                                         content_area=form.content_area.data,
                                         description=form.description.data,
                                         actor=current_user())
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Added “%(name)s”.", name=project.name), "success")
            return redirect(url_for(".listing"))
    status = error.status if error else (400 if form.errors else 200)
    return render_template("projects/admin_list.html", form=form, error=error,
                           projects=ops.projects(active_only=False),
                           teams=_scope_teams(), brands=BRANDS, areas=CONTENT_AREAS), status


def _month():
    raw = request.values.get("month", "")
    try:
        return parse_month(raw) if raw else this_month(utcnow())
    except ValidationError as error:
        flash(str(error.message), "error")
        return this_month(utcnow())


def _board_rows(month, root):
    from ..activities.stats import claim_hours

    claims = ops.claims_for_month(month, root)
    return claims, claim_hours(claims, month)


@bp.get("/board")
@login_required
def board():
    root = current_user().site
    month = _month()
    claims, hours = _board_rows(month, root)
    from ..activities.display import month_text

    return render_template(
        "projects/admin_board.html", month=month, month_value=month.strftime("%Y-%m"),
        month_label=month_text(month), claims=claims, hours=hours,
        completion=ops.completion([month], root)[0], lead=general_team(),
        projects=ops.projects(), teams=_scope_teams(),
        claim_form=ClaimForm(), delivery_form=DeliveryForm(), reason_form=ReasonForm())


@bp.get("/board.csv")
@login_required
def board_export():
    root = current_user().site
    month = _month()
    claims, hours = _board_rows(month, root)
    labels = {"claimed": _("claimed"), "delivered": _("delivered"), "dropped": _("dropped")}
    return csv_download(
        f"claims-{month:%Y%m}.csv",
        [_("Month"), _("Project"), _("Project brand"), _("Claimed by"), _("What you plan"),
         _("Sessions planned"), _("State"), _("Sessions delivered"), _("What was delivered"),
         _("Hours")],
        [[month.strftime("%Y-%m"), c.project.name, c.project.brand, c.claimant_name, c.plan,
          c.sessions_planned, labels[c.status], c.sessions_delivered, c.delivered_note,
          hours.get(c.id, 0)] for c in claims])


def _claimant(form: ClaimForm):
    """The unit or the team the claim form names: exactly one of the two."""
    site_value = (form.claimant_site.data or "").strip()
    team_value = (form.claimant_team.data or "").strip()
    required = ValidationError(_l("Choose the unit or the volunteer group that claims it."),
                               "claimant_required", field="claimant")
    if bool(site_value) == bool(team_value):
        raise required
    if site_value:
        return {"site": picked_site(site_value, kinds=UNIT_KINDS, field="claimant_site")}
    row_id = parse_id(team_value)
    team = db.session.get(Team, row_id) if row_id else None
    if team is None:
        raise required
    authorize(team.site, missing=required)
    return {"team": team}


@bp.post("/board/claim")
@login_required
def claim():
    month = _month()
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            ops.claim(ops.get_project(form.project_id.data), month,
                      plan=form.plan.data, sessions_planned=form.sessions_planned.data,
                      actor=current_user(), **_claimant(form))
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("Claimed."), "success")
    return redirect(url_for(".board", month=month.strftime("%Y-%m")))


def _scoped_claim(claim_id: int):
    row = ops.get_claim(claim_id)
    authorize(row.claimant_site or row.claimant_team.site,
              missing=NotFound(_l("No such claim."), "claim_not_found"))
    return row


@bp.post("/claims/<int:claim_id>/deliver")
@login_required
def deliver(claim_id: int):
    row = _scoped_claim(claim_id)
    form = DeliveryForm()
    if form.validate_on_submit():
        try:
            ops.report_delivery(row, sessions_delivered=form.sessions_delivered.data,
                                note=form.delivered_note.data, actor=current_user())
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("Delivery recorded."), "success")
    return redirect(url_for(".board", month=row.month.strftime("%Y-%m")))


@bp.post("/claims/<int:claim_id>/drop")
@login_required
def drop(claim_id: int):
    row = _scoped_claim(claim_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            ops.drop_claim(row, form.reason.data, actor=current_user())
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("The claim was dropped."), "success")
    return redirect(url_for(".board", month=row.month.strftime("%Y-%m")))
