"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..core import audit, limits
from ..core.auth import current_user, login_user, logout_user
from ..core.i18n import _, _l
from ..extensions import limiter
from .operations import authenticate

bp = Blueprint("users", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.home")


# Only refused passwords count: per address, and per login name from any address.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.limit("RATELIMIT_LOGIN"), methods=["POST"], deduct_when=limits.failed)
@limiter.limit(limits.limit("RATELIMIT_LOGIN_ACCOUNT"), methods=["POST"],
               deduct_when=limits.failed, key_func=limits.by_form_field("username"))
def login():
    if current_user() is not None and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            audit.record("user.login", user, actor=user)
            return redirect(_safe_next(request.args.get("next")))
        audit.record("user.login_failed", actor="anonymous", username=form.username.data[:64])
        flash(_("Wrong username or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("users/login.html", form=form), status


@bp.post("/logout")
def logout():
    user = current_user()
    if user is not None:
        audit.record("user.logout", user, actor=user)
    logout_user()
    return redirect(url_for("users.login"))
