"""Dashboard pages: the dispatch board, one order (dispatch by hand, cancel), the menu, the
unit's order policy."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField

from ..core.auth import authorize, current_user, login_required, require_site
from ..core.errors import NotFound, ValidationError
from ..core.export import export_format
from ..core.forms import ActionForm, ReasonForm
from ..core.i18n import _, _l
from ..core.timeutil import utcnow
from ..core.web import form_refusal, page_action, refusal_flashed, submit_form
from ..extensions import db
from ..sites.models import Site
from ..volunteers import teams
from ..volunteers.models import Team
from . import board, followup
from . import dispatch as rules
from . import operations as ops
from .export import export as export_orders
from .menu import create_item, get_item, set_item_active, update_item
from .models import BRANDS, CONTENT_AREAS, Order, ServiceItem
from .schemas import waited_minutes
from .states import STATUS_LABELS, reason_text

bp = Blueprint("orders_admin", __name__, url_prefix="/admin/orders", template_folder="templates")


class DispatchForm(FlaskForm):
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    volunteer_number = StringField(_l("Volunteer number (optional)"))
    pool = BooleanField(_l("Also open to grab (抢单)"))


class ItemForm(FlaskForm):
    name = StringField(_l("Service"))
    description = StringField(_l("Description"))
    content_area = SelectField(_l("Content area"),
                               choices=[SelectChoice(a, a) for a in CONTENT_AREAS])
    brand = SelectField(_l("Project brand"), choices=[SelectChoice(b, b) for b in BRANDS])
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    expected_minutes = IntegerField(_l("Expected minutes"), default=60)


class PolicyForm(FlaskForm):
    pool_enabled = BooleanField(_l("Volunteers may grab orders (抢单)"))
    accept_timeout_minutes = IntegerField(_l("Escalate after (minutes without acceptance)"))


def _teams_in_scope() -> list[Team]:
    return teams.usable_by(current_user().site)


def _team_choices(blank, site: Site | None = None):
    usable = teams.usable_by(site) if site is not None else _teams_in_scope()
    return [SelectChoice("", blank)] + [SelectChoice(str(t.id), t.name) for t in usable]


@bp.get("/")
@login_required
def board_page():
    fmt = export_format(request.args)
    if fmt:
        return export_orders(board.filtered(current_user(), request.args), fmt)
    orders = board.query(current_user(), request.args)
    found = (board.total(current_user(), request.args) if len(orders) >= board.BOARD_LIMIT
             else len(orders))
    return render_template("orders/board.html", columns=board.columns(orders, request.args),
                           now=utcnow(), shown=len(orders), found=found,
                           waited=waited_minutes, labels=STATUS_LABELS, args=request.args,
                           services=board.service_names(current_user()),
                           teams=_teams_in_scope(), brands=BRANDS, areas=CONTENT_AREAS)



@bp.get("/<number>")
@login_required
def show(number: str):
    order = board.require_order(number)
    form = DispatchForm()
    form.team_id.choices = _team_choices(_("— choose —"))
    return render_template("orders/admin_order.html", order=order, form=form,
                           reason_form=ReasonForm(), labels=STATUS_LABELS,
                           reason_text=reason_text,
                           waited=waited_minutes(order, utcnow()))


@bp.post("/<number>/dispatch")
@login_required
def dispatch(number: str):
    order = board.require_order(number)
    form = DispatchForm()

    def dispatch_order():
        team, volunteer = board.assignees(current_user(), form.team_id.data,
                                          form.volunteer_number.data)
        rules.dispatch(order, team=team, volunteer=volunteer, pool=form.pool.data,
                       actor=current_user())
        return _("Dispatched.")

    return page_action(form, dispatch_order, to=url_for(".show", number=number))


@bp.get("/follow-ups")
@login_required
def follow_ups():
    """回访: low ratings and reopened orders of the subtree, waiting for a call."""
    return render_template("orders/admin_follow_ups.html",
                           orders=followup.worklist(current_user()), labels=STATUS_LABELS,
                           form=ReasonForm())


@bp.get("/<number>/follow-up")
@login_required
def follow_up(number: str):
    order = board.require_order(number)
    return render_template("orders/admin_follow_up.html", order=order,
                           phone=followup.phone_shown(order, current_user()),
                           done=followup.follow_up_of(order), labels=STATUS_LABELS,
                           form=ReasonForm()), 200, {"Cache-Control": "no-store"}


@bp.post("/<number>/follow-up")
@login_required
def follow_up_done(number: str):
    order = board.require_order(number)
    if ReasonForm().validate_on_submit():
        with refusal_flashed():
            followup.complete(order, request.form.get("note", ""), actor=current_user())
            flash(_("Follow-up recorded."), "success")
            return redirect(url_for(".follow_ups"))
    return redirect(url_for(".follow_up", number=number))


@bp.post("/<number>/reopen")
@login_required
def reopen(number: str):
    """An admin reopens a completed order after the call (within the reopen window)."""
    order = board.require_order(number)
    form = ReasonForm()

    def reopen_order():
        ops.reopen(order, form.reason.data, actor=current_user())
        return _("Reopened: the order is dispatched again.")

    return page_action(form, reopen_order, to=url_for(".follow_up", number=number))


@bp.post("/<number>/cancel")
@login_required
def cancel(number: str):
    order = board.require_order(number)
    form = ReasonForm()

    def cancel_order():
        ops.cancel(order, form.reason.data, actor=current_user())
        return _("Cancelled.")

    return page_action(form, cancel_order, to=url_for(".show", number=number))


@bp.route("/menu", methods=["GET", "POST"])
@login_required
def menu():
    site = require_site(request.args.get("site_id", type=int) or current_user().site_id)
    form = ItemForm()
    form.team_id.choices = _team_choices(_("— by rule —"), site)
    if form.validate_on_submit():
        with refusal_flashed():
            team = teams.require_usable(form.team_id.data, site) if form.team_id.data else None
            create_item(site=site, name=form.name.data, description=form.description.data,
                        content_area=form.content_area.data, brand=form.brand.data, team=team,
                        expected_minutes=form.expected_minutes.data, actor=current_user())
            flash(_("Added to the menu."), "success")
            return redirect(url_for(".menu", site_id=site.id))
    elif form.errors:
        flash(str(form_refusal(form, ITEM_FIELD_ERRORS).message), "error")
    items = db.session.scalars(
        select(ServiceItem).join(Site, Site.id == ServiceItem.site_id)
        .where(Site.path.startswith(site.path, autoescape=True)).order_by(ServiceItem.id)).all()
    return render_template("orders/admin_menu.html", site=site, items=items, form=form,
                           action=ActionForm())


def _menu_item(service_id: int) -> ServiceItem:
    """A line of the menu of a site the admin manages; any other is answered as missing."""
    item = get_item(service_id)
    authorize(item.site, missing=NotFound(_l("No such service."), "item_not_found"))
    return item


@bp.route("/menu/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(service_id: int):
    item = _menu_item(service_id)
    form = ItemForm(obj=item)
    form.team_id.choices = _team_choices(_("— by rule —"), item.site)
    if request.method == "GET":
        form.team_id.data = str(item.team_id or "")

    def save():
        team = teams.require_usable(form.team_id.data, item.site) if form.team_id.data else None
        update_item(item, name=form.name.data, description=form.description.data,
                    content_area=form.content_area.data, brand=form.brand.data, team=team,
                    expected_minutes=form.expected_minutes.data, actor=current_user())

    outcome = submit_form(form, save, done=lambda: url_for(".menu", site_id=item.site_id),
                          field_errors=ITEM_FIELD_ERRORS)
    if isinstance(outcome, Response):
        return outcome
    error = outcome
    return render_template("orders/admin_menu_item.html", item=item, form=form,
                           error=error, action=ActionForm()), error.status if error else 200


# A field WTForms itself refused (a number that is not one, a choice not offered), in words.
ITEM_FIELD_ERRORS = {
    "expected_minutes": lambda: ValidationError(
        _l("The expected duration must be 1 to 1440 minutes."), "invalid_minutes",
        field="expected_minutes"),
    "content_area": lambda: ValidationError(_l("Choose one of the five content areas."),
                                            "invalid_area", field="content_area"),
    "brand": lambda: ValidationError(_l("Choose one of the five project brands."),
                                     "invalid_brand", field="brand"),
}


@bp.post("/menu/<int:service_id>/<any(retire, activate):what>")
@login_required
def item_active(service_id: int, what: str):
    item = _menu_item(service_id)
    if ActionForm().validate_on_submit():
        set_item_active(item, what == "activate", actor=current_user())
        flash(_("Offered again.") if what == "activate" else
              _("Retired: residents and kiosks no longer offer it; orders already placed "
                "go on."), "success")
    return redirect(url_for(".menu", site_id=item.site_id))


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


SITE_PANEL_ROWS = 10


def site_panel(site: Site):
    """The site page's orders panel: the latest orders placed here and below, and the links
    to the board and the site's menu."""
    from markupsafe import Markup

    orders = db.session.scalars(
        select(Order).join(Site, Site.id == Order.site_id)
        .where(Site.path.startswith(site.path, autoescape=True))
        .order_by(Order.placed_at.desc(), Order.id.desc()).limit(SITE_PANEL_ROWS)).all()
    return Markup(render_template("orders/_site_panel.html", site=site, orders=orders,
                                  labels=STATUS_LABELS))
