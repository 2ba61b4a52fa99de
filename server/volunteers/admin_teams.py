"""Dashboard pages for teams: list, create a branch team, members, leader, cards."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField

from ..core.auth import authorize, current_user, login_required
from ..core.db import mark_failed
from ..core.errors import DomainError, Forbidden, NotFound, ValidationError
from ..core.forms import ActionForm
from ..core.i18n import _, _l
from ..core.web import confirm_first, refusal_flashed, submit_form
from ..extensions import db
from ..sites.models import Site
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
            site = _chosen_site(form.site_id.data)
            team = teams.create_team(form.name.data, site, description=form.description.data,
                                     actor=current_user())
        except DomainError as exc:
            error = exc
            mark_failed()
        else:
            flash(_("Created “%(name)s”.", name=team.name), "success")
            return redirect(url_for(".show", team_id=team.id))
    return render_template("volunteers/team_form.html", form=form, error=error, team=None), \
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
                           can_lead=current_user().can_manage(team.site), action=ActionForm())


def _managed_team(team_id: int):
    """A team of a unit the admin manages (its site in the admin's subtree): only those
    admins rename, move or deactivate it; any other is answered as missing."""
    team = teams.get_team(team_id)
    authorize(team.site, missing=NotFound(_l("No such team."), "team_not_found"))
    return team


def _chosen_site(value) -> Site:
    site = db.session.get(Site, int(value)) if str(value or "").isdigit() else None
    if site is None:
        raise ValidationError(_l("Choose the site the team serves."), "site_required",
                              field="site_id")
    return site


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@login_required
def edit(team_id: int):
    team = _managed_team(team_id)
    form = TeamForm(obj=team)
    form.site_id.choices = site_choices()
    if request.method == "GET":
        form.site_id.data = str(team.site_id)
    outcome = submit_form(
        form, lambda: teams.update_team(team, name=form.name.data,
                                        description=form.description.data,
                                        site=_chosen_site(form.site_id.data),
                                        actor=current_user()),
        done=lambda: url_for(".show", team_id=team.id),
        field_errors={"site_id": lambda: ValidationError(_l("Choose the site the team serves."),
                                                         "site_required", field="site_id")})
    if isinstance(outcome, Response):
        return outcome
    error = outcome
    return render_template("volunteers/team_form.html", form=form, error=error, team=team), \
        error.status if error else 200


@bp.post("/<int:team_id>/<any(activate, deactivate):what>")
@login_required
def set_active(team_id: int, what: str):
    team = _managed_team(team_id)
    if ActionForm().validate_on_submit():
        if what == "deactivate":
            ask = confirm_first(
                _("Deactivate the team “%(name)s”?", name=team.name),
                _("It is no longer offered for dispatch, menu items or activities; orders "
                  "routed to it by rule go to the next team up. Its members stay, and it can "
                  "be reactivated."),
                confirm_label=_("Yes, deactivate the team"),
                back_url=url_for(".show", team_id=team.id))
            if ask is not None:
                return ask
        with refusal_flashed():
            teams.set_active(team, what == "activate", actor=current_user())
            flash(_("Reactivated.") if what == "activate" else _("Team deactivated."),
                  "success")
    return redirect(url_for(".show", team_id=team.id))


def _team_action(team_id: int, action) -> object:
    # Members join or leave teams that serve the admin's unit (its own or ones above it).
    team = teams.get_team(team_id)
    if team.is_active:  # an inactive team is refused by the operations, in their words
        teams.require_usable(team.id, current_user().site)
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
    team = teams.get_team(team_id)
    current = teams.leader(team)
    number = (request.form.get("number") or "").strip().upper()
    if current is not None and current.volunteer.number == number and MemberForm().validate():
        ask = confirm_first(
            _("Remove %(name)s, the leader, from “%(team)s”?", name=current.volunteer.name,
              team=team.name),
            _("The team has no leader until a new one is named: orders sent to a named "
              "member can then only be accepted by that member."),
            confirm_label=_("Yes, remove the leader"),
            back_url=url_for(".show", team_id=team.id))
        if ask is not None:
            return ask

    def remove(team, volunteer):
        teams.remove_member(team, volunteer, actor=current_user())
        return _("%(name)s left the team.", name=volunteer.name)

    return _team_action(team_id, remove)


@bp.post("/<int:team_id>/leader")
@login_required
def set_leader(team_id: int):
    def lead(team, volunteer):
        if not current_user().can_manage(team.site):  # the leader is named by the team's site
            raise Forbidden(_l("Only the administrators of the site this team serves name "
                               "its leader."), "not_team_site")
        teams.set_leader(team, volunteer, actor=current_user())
        return _("%(name)s now leads the team.", name=volunteer.name)

    return _team_action(team_id, lead)
