"""The volunteer's phone: the task list (接单), accept, give back, start, and completion by
scanning the resident's order code."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import StringField

from ..core.db import mark_failed
from ..core.errors import DomainError
from ..core.i18n import _, _l
from ..extensions import db
from ..volunteers.auth import add_phone_link, current_volunteer, volunteer_login_required
from ..volunteers.models import TeamMember
from . import dispatch as rules
from . import notify
from . import operations as ops
from .models import Order
from .states import STATUS_LABELS

bp = Blueprint("orders_volunteer", __name__, template_folder="templates")


class ActForm(FlaskForm):
    reason = StringField(_l("Reason"))


# What each notice says on the volunteer's task list (events other features never send to a
# volunteer or a team fall back to the last line).
NOTICE_TEXT = {
    "dispatched": _l("New order for you: %(service)s (order %(number)s)."),
    "assigned": _l("Your team leader gave you order %(number)s: %(service)s."),
    "completed": _l("Order %(number)s is confirmed completed; the hours go to your time bank."),
    "rated": _l("The resident rated order %(number)s."),
    "cancelled": _l("Order %(number)s was cancelled."),
}
TEAM_NOTICE_TEXT = {"dispatched": _l("New order for your team: %(service)s (order %(number)s).")}
NOTICE_FALLBACK = _l("Order %(number)s has news.")


def notice_text(notice) -> str:
    texts = TEAM_NOTICE_TEXT if notice.recipient_type == "team" else NOTICE_TEXT
    text = texts.get(notice.event, NOTICE_FALLBACK)
    return str(text) % {"number": notice.order.number, "service": notice.order.item.name}


def register_phone_link(app) -> None:
    add_phone_link(app, "orders_volunteer.tasks", _l("My service orders"), 30)


def task_lists(volunteer) -> dict[str, list[Order]]:
    team_ids = list(db.session.scalars(select(TeamMember.team_id)
                                       .where(TeamMember.volunteer_id == volunteer.id)))
    mine = db.session.scalars(select(Order).where(
        Order.volunteer_id == volunteer.id, Order.status.in_(("dispatched", "accepted",
                                                              "in_service")))
        .order_by(Order.preferred_at, Order.id)).all()
    offered = db.session.scalars(select(Order).where(
        Order.status == "dispatched", Order.volunteer_id.is_(None),
        or_(Order.team_id.in_(team_ids), Order.is_pool.is_(True)))
        .order_by(Order.placed_at).limit(200)).all()
    offered = [o for o in offered if rules.may_accept(o, volunteer)]
    return {"mine": [o for o in mine if o.status != "dispatched"],
            "offered": [o for o in mine if o.status == "dispatched"] + offered,
            "team_ids": team_ids}


@bp.get("/v/orders")
@volunteer_login_required
def tasks():
    volunteer = current_volunteer()
    lists = task_lists(volunteer)
    # Shown until the volunteer says they have read them: a page load is no proof of reading.
    notices = notify.for_volunteer(volunteer.id, lists["team_ids"])
    return render_template("orders/tasks.html", volunteer=volunteer, lists=lists,
                           notices=notices, notice_text=notice_text, labels=STATUS_LABELS,
                           form=ActForm())


@bp.post("/v/orders/notices/read")
@volunteer_login_required
def notices_read():
    """"知道了" under the notices: those shown (their ids posted) are read, not newer ones."""
    if ActForm().validate_on_submit():
        ids = [int(v) for v in request.form.getlist("notice") if v.isdigit() and len(v) < 12]
        notify.dismiss(current_volunteer().id, ids)
    return redirect(url_for(".tasks"))


def _act(number: str, work, done_message):
    volunteer = current_volunteer()
    order = ops.get_order(number)
    if not ActForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".tasks"))
    try:
        work(order, volunteer)
    except DomainError as error:
        mark_failed()
        return render_template("orders/refused.html", error=error), error.status
    flash(done_message, "success")
    return redirect(url_for(".tasks"))


@bp.post("/v/orders/<number>/accept")
@volunteer_login_required
def accept(number: str):
    return _act(number, lambda order, v: ops.accept(order, v), _("Accepted. Thank you!"))


@bp.post("/v/orders/<number>/reject")
@volunteer_login_required
def reject(number: str):
    reason = ActForm().reason.data
    return _act(number, lambda order, v: ops.reject(order, v, reason),
                _("Given back to dispatch."))


@bp.post("/v/orders/<number>/start")
@volunteer_login_required
def start(number: str):
    return _act(number, lambda order, v: ops.start(order, v), _("Service started."))


@bp.get("/orders/code/<token>")
def by_code(token: str):
    """Where a scanned order code leads (the /S/ landing hands order codes to this page)."""
    order = ops.order_from_code(token, source="phone")
    serving = ops.serves(order, current_volunteer())
    return render_template("orders/by_code.html", order=order, token=token, serving=serving,
                           labels=STATUS_LABELS, form=ActForm(),
                           receipt=None if serving else ops.receipt_by_code(order))


@bp.post("/orders/code/<token>/complete")
@volunteer_login_required
def complete_by_code(token: str):
    volunteer = current_volunteer()
    order = ops.order_from_code(token, source="phone")
    if not ActForm().validate_on_submit():
        return redirect(url_for(".by_code", token=token))
    try:
        ops.complete(order, via="code_phone", volunteer=volunteer)
    except DomainError as error:
        mark_failed()
        return render_template("orders/refused.html", error=error), error.status
    flash(_("Completed. The hours go to your time bank."), "success")
    return redirect(url_for(".tasks"))
