"""The volunteer's phone pages under /v/: home with the personal code, logins, password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

import qr

from ..codes.operations import code_url
from ..core import limits
from ..core.errors import DomainError
from ..core.forms import ActionForm as ConfirmForm
from ..core.i18n import _, _l
from ..extensions import limiter
from . import logins, teams
from . import operations as ops
from .auth import (
    current_volunteer,
    login_volunteer,
    logout_volunteer,
    phone_links,
    volunteer_login_required,
)

bp = Blueprint("volunteers_mobile", __name__, url_prefix="/v", template_folder="templates")


class PasswordLoginForm(FlaskForm):
    number = StringField(_l("Volunteer number"), validators=[DataRequired(), Length(max=20)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    again = PasswordField(_l("The same password again"), validators=[DataRequired()])


@bp.get("/")
@volunteer_login_required
def home():
    volunteer = current_volunteer()
    code = ops.volunteer_code(volunteer)
    svg = Markup(qr.to_svg(code_url(code))) if code is not None else None
    return render_template("volunteers/phone_home.html", volunteer=volunteer, code=code, svg=svg,
                           memberships=teams.teams_of(volunteer),
                           links=phone_links(current_app), logout_form=ConfirmForm())


@bp.get("/welcome")
def login_needed():
    """Where @volunteer_login_required sends a phone without a session. No password field: a
    link to the login page, with the address to check before typing one."""
    return render_template("volunteers/phone_needed.html",
                           host=urlsplit(current_app.config["BASE_URL"]).netloc)


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def link(token: str):
    """GET only shows a button (a chat app's link preview must not use the link up)."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            volunteer = logins.consume_login_link(token)
            login_volunteer(volunteer)
            return redirect(url_for(".home"))
        found = logins.check_link(token)
    except logins.LinkRefused as refused:
        return render_template("volunteers/phone_refused.html", refused=refused), refused.status
    return render_template("volunteers/phone_link.html", form=form,
                           volunteer=found.volunteer), 200, {"Cache-Control": "no-store"}


@bp.route("/login", methods=["GET", "POST"])
# Only refused passwords count: per address, and per volunteer number from any address.
@limiter.limit(limits.limit("RATELIMIT_LOGIN"), methods=["POST"], deduct_when=limits.failed)
@limiter.limit(limits.limit("RATELIMIT_LOGIN_ACCOUNT"), methods=["POST"],
               deduct_when=limits.failed, key_func=limits.by_form_field("number"))
def login():
    """Number + password, for volunteers who set one after a link login; linked from the
    welcome page, which says which address to check first."""
    if current_volunteer() is not None:
        return redirect(url_for(".home"))
    form = PasswordLoginForm()
    status = 200
    if form.validate_on_submit():
        volunteer = logins.authenticate(form.number.data, form.password.data)
        if volunteer is not None:
            login_volunteer(volunteer)
            return redirect(url_for(".home"))
        flash(_("Wrong volunteer number or password."), "error")
        status = 401
    elif form.errors:
        status = 400
    return render_template("volunteers/phone_login.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
@volunteer_login_required
def password():
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        volunteer = current_volunteer()
        if form.password.data != form.again.data:
            error = _("The two passwords are not the same.")
        else:
            try:
                logins.set_password(volunteer, form.password.data)
            except DomainError as exc:
                error = str(exc.message)
            else:
                login_volunteer(volunteer)  # this phone stays logged in; the others are not
                flash(_("Password saved. You can now log in with your number and password."),
                      "success")
                return redirect(url_for(".home"))
    status = 400 if error or form.errors else 200
    return render_template("volunteers/phone_password.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    if ConfirmForm().validate_on_submit():
        logout_volunteer()
    return redirect(url_for(".login_needed"))
