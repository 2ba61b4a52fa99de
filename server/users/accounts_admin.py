"""Dashboard pages for accounts: the admins of one's subtree, a one-time password link, and
changing one's own password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField

from ..core.auth import current_user, login_required
from ..core.db import mark_failed
from ..core.errors import DomainError, ValidationError
from ..core.forms import ActionForm
from ..core.i18n import _, _l
from ..sites import operations as sites
from . import accounts, operations
from .models import Role
from .operations import check_password

bp = Blueprint("accounts_admin", __name__, template_folder="templates")

ROLE_LABELS = {Role.DISTRICT: _l("District administrator"),
               Role.INSTITUTE: _l("Institute administrator"),
               Role.STATION: _l("Station administrator")}


class AccountForm(FlaskForm):
    username = StringField(_l("Username"))
    display_name = StringField(_l("Name shown"))
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    site_id = StringField(_l("Site it manages"))


class NameForm(FlaskForm):
    display_name = StringField(_l("Name shown"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"))
    password = PasswordField(_l("New password (at least 10 characters)"))
    repeat = PasswordField(_l("New password again"))


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"))
    repeat = PasswordField(_l("New password again"))


def _link(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("accounts_admin.reset",
                                                               token=token)


def _picker_sites(admin, selected=None):
    """Institutes and stations of the subtree: the sites an account can manage."""
    return sites.picker_order(admin.site, selected=selected, kinds=("institute", "station"))


@bp.route("/admin/accounts/", methods=["GET", "POST"])
@login_required
def listing():
    admin = current_user()
    allowed = accounts.MAY_CREATE[Role(admin.role)]
    form = AccountForm()
    form.role.choices = [SelectChoice(r.value, str(ROLE_LABELS[r])) for r in allowed]
    error = None
    if request.method == "POST":
        if not allowed:
            error = ValidationError(_l("You may not create accounts of this role."),
                                    "role_not_allowed")
        elif form.validate_on_submit():
            try:
                user, token = accounts.create_account(
                    admin, username=form.username.data, role=form.role.data,
                    site_id=form.site_id.data, display_name=form.display_name.data)
            except DomainError as exc:
                error = exc
            else:
                return _link_page(user, token, created=True)
        else:
            error = ValidationError(_l("The form expired. Please try again."), "csrf_failed")
    if error is not None:
        mark_failed()
    return render_template("users/accounts.html", users=accounts.accounts_under(admin),
                           form=form, allowed=allowed, error=error, roles=ROLE_LABELS,
                           me=admin, sites=_picker_sites(admin, form.site_id.data),
                           action=ActionForm()), \
        error.status if error else 200


def _link_page(user, token, *, created=False):
    return render_template("users/reset_link.html", user=user, url=_link(token),
                           created=created, roles=ROLE_LABELS), 200, {"Cache-Control": "no-store"}


@bp.route("/admin/accounts/<int:user_id>", methods=["GET", "POST"])
@login_required
def show(user_id: int):
    admin = current_user()
    user = accounts.require_account(admin, user_id)
    form = NameForm(obj=user)
    error = None
    if form.validate_on_submit():
        try:
            accounts.update_account(admin, user, display_name=form.display_name.data)
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".show", user_id=user.id))
    return render_template("users/account.html", user=user, form=form, error=error,
                           roles=ROLE_LABELS, action=ActionForm()), error.status if error else 200


@bp.post("/admin/accounts/<int:user_id>/<any(activate, deactivate):what>")
@login_required
def set_active(user_id: int, what: str):
    admin = current_user()
    user = accounts.require_account(admin, user_id)
    if ActionForm().validate_on_submit():
        operations.set_active(user, what == "activate", actor=admin)
        flash(_("Reactivated.") if what == "activate" else
              _("Deactivated: the account can no longer log in."), "success")
    return redirect(url_for(".show", user_id=user.id))


@bp.post("/admin/accounts/<int:user_id>/reset-link")
@login_required
def reset_link(user_id: int):
    """The link is shown once, on this response; it works once and for 24 hours."""
    admin = current_user()
    user = accounts.require_account(admin, user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".show", user_id=user.id))
    return _link_page(user, accounts.reset_token(user, actor=admin))


@bp.route("/admin/account/password", methods=["GET", "POST"])
@login_required
def own_password():
    user = current_user()
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            if not check_password(user, form.current.data or ""):
                raise ValidationError(_l("The current password is not right."),
                                      "wrong_password", field="current")
            accounts.set_password_checked(user, form.password.data or "",
                                          form.repeat.data or "", actor=user)
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            from ..core.auth import login_user

            login_user(user)  # this session goes on with the new epoch; every other ends
            flash(_("Your password is changed. Other sessions are logged out."), "success")
            return redirect(url_for("dashboard.home"))
    return render_template("users/password.html", form=form, error=error, own=True), \
        error.status if error else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = accounts.user_for_reset(token)
    form = ResetForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.set_password_checked(user, form.password.data or "",
                                          form.repeat.data or "", actor=user)
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Your password is set. Please log in."), "success")
            return redirect(url_for("users.login"))
    return render_template("users/password.html", form=form, error=error, own=False,
                           user=user), error.status if error else 200, \
        {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
