"""Dashboard pages for teams: list, create a branch team, members, leader, cards."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField

from ..core.auth import authorize, current_user, login_required
from ..core.db import mark_failed
from ..core.errors import DomainError
from ..core.i18n import _, _l
from ..core.web import refusal_flashed
from ..extensions import db
from . import operations as ops
from . import teams
from .admin import require_volunteer, site_choices
from .models import TeamMember, Volunteer

bp = Blueprint("teams_admin", __name__, url_prefix="/admin/teams", template_folder="templates")


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"))
    site_id = SelectField(_l("Site it serves"), choices=[])
    description = StringField(_l("Description"))


class MemberForm(FlaskForm):
    number = StringField(_l("Volunteer number"))


@bp.get("/")
@login_required
def index():
    return render_template("volunteers/teams.html", teams=teams.all_teams(),
                           counts=teams.member_counts(current_user().site))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = TeamForm()
    form.site_id.choices = site_choices()
    error = None
    if form.validate_on_submit():
        try:
            site = ops.home_site(form.site_id.data, current_user())
            team = teams.create_team(form.name.data, site, description=form.description.data,
                                     actor=current_user())
        except DomainError as exc:
            error = exc
            mark_failed()
        else:
            flash(_("Created “%(name)s”.", name=team.name), "success")
            return redirect(url_for(".show", team_id=team.id))
    return render_template("volunteers/team_form.html", form=form, error=error), \
        error.status if error else 200


@bp.get("/<int:team_id>")
@login_required
def show(team_id: int):
    team = teams.get_team(team_id)
    root = current_user().site
    # Only members the admin manages are listed: their home site lies in the admin's subtree.
    members = list(db.session.scalars(
        select(TeamMember).join(Volunteer).where(
            TeamMember.team_id == team.id,
            Volunteer.id.in_(ops.scoped_query(root).with_only_columns(Volunteer.id)))
        .order_by(TeamMember.is_leader.desc(), Volunteer.number)))
    return render_template("volunteers/team.html", team=team, members=members,
                           leader=teams.leader(team), form=MemberForm(),
                           can_lead=current_user().can_manage(team.site))


def _team_action(team_id: int, action) -> object:
    team = teams.get_team(team_id)
    form = MemberForm()
    if form.validate_on_submit():
        with refusal_flashed():
            volunteer = require_volunteer(form.number.data or request.form.get("number", ""))
            message = action(team, volunteer)
            flash(message, "success")
    return redirect(url_for(".show", team_id=team.id))


@bp.post("/<int:team_id>/members")
@login_required
def add_member(team_id: int):
    def add(team, volunteer):
        teams.add_member(team, volunteer, actor=current_user())
        return _("%(name)s joined the team.", name=volunteer.name)

    return _team_action(team_id, add)


@bp.post("/<int:team_id>/members/remove")
@login_required
def remove_member(team_id: int):
    def remove(team, volunteer):
        teams.remove_member(team, volunteer, actor=current_user())
        return _("%(name)s left the team.", name=volunteer.name)

    return _team_action(team_id, remove)


@bp.post("/<int:team_id>/leader")
@login_required
def set_leader(team_id: int):
    def lead(team, volunteer):
        authorize(team.site)  # naming the leader belongs to whoever runs the team's site
        teams.set_leader(team, volunteer, actor=current_user())
        return _("%(name)s now leads the team.", name=volunteer.name)

    return _team_action(team_id, lead)
