"""The resident's phone pages: the order form for a site, the receipt, confirming and rating."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, StringField, TextAreaField

import qr

from ..codes.operations import code_url
from ..core import limits
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound
from ..core.forms import ReasonForm
from ..core.i18n import _l
from ..extensions import db, limiter
from ..sites.models import Site
from ..volunteers.auth import current_volunteer
from . import operations as ops
from .menu import get_item, menu_for
from .states import STATUS_LABELS

bp = Blueprint("orders_mobile", __name__, template_folder="templates")


class OrderForm(FlaskForm):
    # Rules live in operations; the form carries the fields and the CSRF token.
    item_id = HiddenField()
    phone = StringField(_l("Mobile number"))
    place = StringField(_l("Place or address"))
    note = TextAreaField(_l("Note"))
    preferred_at = StringField(_l("Preferred time"))


class RateForm(FlaskForm):
    stars = HiddenField()
    tags = HiddenField()
    comment = TextAreaField(_l("Comment"))


RATING_TAGS = (_l("On time"), _l("Friendly"), _l("Patient"), _l("Solved my problem"),
               _l("Professional"))
# A rater of one star needs words too: what went wrong.
PROBLEM_TAGS = (_l("Came late"), _l("Unfriendly"), _l("Problem not solved"), _l("Nobody came"))


def _rate_limit() -> str:
    return current_app.config["ORDERS_RATELIMIT"]


def _site(site_id: int) -> Site:
    site = db.session.get(Site, site_id)
    if site is None or not site.is_active:
        raise NotFound(_l("No such site."), "site_not_found")
    return site


@bp.route("/orders/new/<int:site_id>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
@limiter.limit(limits.limit("ORDERS_PHONE_RATELIMIT"), methods=["POST"],
               key_func=lambda: limits.phone_key(request.form.get("phone")))
def new(site_id: int):
    site = _site(site_id)
    menu = menu_for(site)
    form = OrderForm()
    if request.method == "GET" and request.args.get("item", "").isdigit():
        form.item_id.data = request.args["item"]
    error = None
    if form.validate_on_submit():
        try:
            item = get_item(form.item_id.data) if form.item_id.data else None
            if item is None:
                raise NotFound(_l("Please choose a service."), "item_required", field="item_id")
            order = ops.place_order(site=site, item=item, phone=form.phone.data,
                                    place=form.place.data, note=form.note.data,
                                    preferred_at=form.preferred_at.data, channel="phone")
        except DomainError as exc:
            mark_failed()  # nothing half-written
            error = exc
        else:
            return redirect(url_for(".receipt", token=ops.receipt_token(order)))
    status = error.status if error else (400 if form.errors else 200)
    return render_template("orders/new.html", site=site, menu=menu, form=form,
                           error=error), status


def _receipt_page(order, *, error=None, status=200):
    code = ops.order_code(order)
    svg = Markup(qr.to_svg(code_url(code), border=2)) if code is not None else None
    return render_template(
        "orders/receipt.html", order=order, token=ops.receipt_token(order), code=code, svg=svg,
        labels=STATUS_LABELS, rate_form=RateForm(), reason_form=ReasonForm(), error=error,
        tags=RATING_TAGS, problem_tags=PROBLEM_TAGS,
        reopen_days=current_app.config["ORDERS_REOPEN_DAYS"],
        serving=ops.serves(order, current_volunteer())), status


@bp.get("/r/<token>")
def receipt(token: str):
    return _receipt_page(ops.order_from_receipt(token))


def _act(token: str, form_class, work):
    order = ops.order_from_receipt(token)
    form = form_class()
    if not form.validate_on_submit():
        return _receipt_page(order, status=400)
    try:
        work(order, form)
    except DomainError as exc:
        mark_failed()
        db.session.refresh(order)
        return _receipt_page(order, error=exc, status=exc.status)
    return redirect(url_for(".receipt", token=token))


@bp.post("/r/<token>/confirm")
def confirm(token: str):
    return _act(token, ReasonForm,
                lambda order, form: ops.complete(order, via="resident", actor="resident"))


def _receipt_phone() -> str:
    return limits.phone_key(ops.order_from_receipt(request.view_args["token"]).phone)


@bp.post("/r/<token>/rate")
@limiter.limit(limits.limit("ORDERS_PHONE_RATELIMIT"), key_func=_receipt_phone,
               scope="orders.phone")
def rate(token: str):
    return _act(token, RateForm, lambda order, form: ops.rate(
        order, stars=form.stars.data, tags=form.tags.data, comment=form.comment.data,
        channel="phone", by=current_volunteer()))


@bp.post("/r/<token>/reopen")
def reopen(token: str):
    return _act(token, ReasonForm, lambda order, form: ops.reopen(order, form.reason.data,
                                                                by=current_volunteer()))


@bp.post("/r/<token>/cancel")
def cancel(token: str):
    return _act(token, ReasonForm, lambda order, form: ops.cancel(order, form.reason.data,
                                                                by=current_volunteer()))
