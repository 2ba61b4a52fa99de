"""Dashboard pages: the dispatch board, one order (dispatch by hand, cancel), the menu, the
unit's order policy."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField

from ..core.auth import current_user, login_required, require_site
from ..core.errors import DomainError
from ..core.forms import ReasonForm
from ..core.i18n import _, _l
from ..core.timeutil import utcnow
from ..core.web import refusal_flashed
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Team, Volunteer
from . import board
from . import dispatch as rules
from . import operations as ops
from .menu import create_item
from .models import BRANDS, CONTENT_AREAS, ServiceItem
from .schemas import waited_minutes
from .states import STATUS_LABELS

bp = Blueprint("orders_admin", __name__, url_prefix="/admin/orders", template_folder="templates")


class DispatchForm(FlaskForm):
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    volunteer_number = StringField(_l("Volunteer number (optional)"))
    pool = BooleanField(_l("Also open to grab (抢单)"))


class ItemForm(FlaskForm):
    name = StringField(_l("Service"))
    description = StringField(_l("Description"))
    content_area = SelectField(_l("Content area"), choices=[(a, a) for a in CONTENT_AREAS])
    brand = SelectField(_l("Project brand"), choices=[(b, b) for b in BRANDS])
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    expected_minutes = IntegerField(_l("Expected minutes"), default=60)


class PolicyForm(FlaskForm):
    pool_enabled = BooleanField(_l("Volunteers may grab orders (抢单)"))
    accept_timeout_minutes = IntegerField(_l("Escalate after (minutes without acceptance)"))


def _teams_in_scope() -> list[Team]:
    root = current_user().site
    return list(db.session.scalars(
        select(Team).join(Site, Site.id == Team.site_id)
        .where(Site.path.startswith(root.path, autoescape=True), Team.is_active.is_(True))
        .order_by(Team.name)))


def _team_choices(blank):
    return [("", blank)] + [(str(t.id), t.name) for t in _teams_in_scope()]


@bp.get("/")
@login_required
def board_page():
    orders = board.query(current_user(), request.args)
    items = db.session.scalars(select(ServiceItem).order_by(ServiceItem.name)).all()
    return render_template("orders/board.html", columns=board.columns(orders), now=utcnow(),
                           waited=waited_minutes, labels=STATUS_LABELS, args=request.args,
                           items=items, teams=_teams_in_scope())



@bp.get("/<number>")
@login_required
def show(number: str):
    order = board.require_order(number)
    form = DispatchForm()
    form.team_id.choices = _team_choices(_("— choose —"))
    return render_template("orders/admin_order.html", order=order, form=form,
                           reason_form=ReasonForm(), labels=STATUS_LABELS,
                           waited=waited_minutes(order, utcnow()))


@bp.post("/<number>/dispatch")
@login_required
def dispatch(number: str):
    order = board.require_order(number)
    form = DispatchForm()
    if form.validate_on_submit():
        with refusal_flashed():
            team = db.session.get(Team, int(form.team_id.data)) if form.team_id.data else None
            volunteer = None
            if form.volunteer_number.data:
                volunteer = db.session.scalar(select(Volunteer).where(
                    Volunteer.number == form.volunteer_number.data.strip()))
                if volunteer is None:
                    raise DomainError(_l("No such volunteer."), "volunteer_not_found")
            rules.dispatch(order, team=team, volunteer=volunteer, pool=form.pool.data,
                           actor=current_user())
            flash(_("Dispatched."), "success")
    return redirect(url_for(".show", number=number))


@bp.post("/<number>/cancel")
@login_required
def cancel(number: str):
    order = board.require_order(number)
    form = ReasonForm()
    if form.validate_on_submit():
        with refusal_flashed():
            ops.cancel(order, form.reason.data, actor=current_user())
            flash(_("Cancelled."), "success")
    return redirect(url_for(".show", number=number))


@bp.route("/menu", methods=["GET", "POST"])
@login_required
def menu():
    site = require_site(request.args.get("site_id", type=int) or current_user().site_id)
    form = ItemForm()
    form.team_id.choices = _team_choices(_("— by rule —"))
    if form.validate_on_submit():
        with refusal_flashed():
            team = db.session.get(Team, int(form.team_id.data)) if form.team_id.data else None
            create_item(site=site, name=form.name.data, description=form.description.data,
                        content_area=form.content_area.data, brand=form.brand.data, team=team,
                        expected_minutes=form.expected_minutes.data, actor=current_user())
            flash(_("Added to the menu."), "success")
            return redirect(url_for(".menu", site_id=site.id))
    items = db.session.scalars(
        select(ServiceItem).join(Site, Site.id == ServiceItem.site_id)
        .where(Site.path.startswith(site.path, autoescape=True)).order_by(ServiceItem.id)).all()
    return render_template("orders/admin_menu.html", site=site, items=items, form=form)


@bp.route("/policy", methods=["GET", "POST"])
@login_required
def policy():
    site = require_site(request.args.get("site_id", type=int) or current_user().site_id)
    current = rules.policy_for(site)
    form = PolicyForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        with refusal_flashed():
            rules.set_policy(site, pool_enabled=form.pool_enabled.data,
                             accept_timeout_minutes=form.accept_timeout_minutes.data,
                             actor=current_user())
            flash(_("Saved."), "success")
            return redirect(url_for(".policy", site_id=site.id))
    return render_template("orders/admin_policy.html", site=site, form=form, current=current)
