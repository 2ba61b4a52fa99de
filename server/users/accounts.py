"""Account management rules: the admins of a subtree, their one-time password links."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from ..core import audit
from ..core.errors import Forbidden, NotFound, ValidationError
from ..core.i18n import _l
from ..extensions import db
from ..sites.models import Site
from .models import ROLE_SITE_KIND, AdminUser, Role
from .operations import create_user, hash_password

RESET_MAX_AGE = timedelta(hours=24)
# Who may create whom: a district admin makes institute and station admins; an institute
# admin makes station admins of its town. A station admin makes no accounts.
MAY_CREATE = {Role.DISTRICT: (Role.INSTITUTE, Role.STATION), Role.INSTITUTE: (Role.STATION,),
              Role.STATION: ()}


def _missing() -> NotFound:
    return NotFound(_l("No such account."), "user_not_found")


def accounts_under(admin: AdminUser) -> list[AdminUser]:
    """The accounts `admin` manages: those of sites strictly below its own (and itself)."""
    rows = db.session.scalars(
        select(AdminUser).join(Site, Site.id == AdminUser.site_id)
        .where(Site.path.startswith(admin.site.path, autoescape=True))
        .order_by(Site.path, AdminUser.username))
    return [u for u in rows if u.id == admin.id or _below(admin, u)]


def _below(admin: AdminUser, user: AdminUser) -> bool:
    return user.role in MAY_CREATE[Role(admin.role)] and admin.site.contains(user.site)


def require_account(admin: AdminUser, user_id) -> AdminUser:
    """An account `admin` manages (not itself); any other is answered as missing."""
    try:
        user = db.session.get(AdminUser, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or user.id == admin.id or not _below(admin, user):
        raise _missing()
    return user


def create_account(admin: AdminUser, *, username, role, site_id, display_name="") -> tuple:
    """A new admin of a site in `admin`'s subtree, of a role `admin` may create. Its random
    password is never shown: (user, reset token) — the new admin sets one through the link."""
    try:
        wanted = Role(role)
    except ValueError:
        raise ValidationError(_l("Choose the role."), "invalid_role", field="role") from None
    if wanted not in MAY_CREATE[Role(admin.role)]:
        raise Forbidden(_l("You may not create accounts of this role."), "role_not_allowed")
    try:
        site = db.session.get(Site, int(site_id))
    except (TypeError, ValueError):
        site = None
    if site is None or not admin.site.contains(site) or not site.is_active:
        raise ValidationError(_l("Choose the site the account manages."), "site_required",
                              field="site_id")
    if site.kind != ROLE_SITE_KIND[wanted]:
        raise ValidationError(_l("This role manages a site of another kind: an institute "
                                 "admin an institute, a station admin a station."),
                              "role_site_mismatch", field="site_id")
    user = create_user(username, secrets.token_urlsafe(24), wanted, site,
                       display_name=(display_name or "").strip(), actor=admin)
    return user, reset_token(user, actor=admin)


def update_account(admin: AdminUser, user: AdminUser, *, display_name) -> AdminUser:
    name = " ".join((display_name or "").split())
    if len(name) > 64:
        raise ValidationError(_l("At most %(n)d characters.", n=64), "too_long",
                              field="display_name")
    before = user.display_name
    user.display_name = name or user.username
    db.session.flush()
    audit.record("user.update", user, actor=admin, display_name=[before, user.display_name])
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="admin-password-reset")


def reset_token(user: AdminUser, *, actor) -> str:
    """A one-time link to set a password: it names the account's session epoch, which the
    new password bumps, so the link works once (and not after any other password change)."""
    audit.record("user.reset_link", user, actor=actor)
    return _serializer().dumps({"uid": user.id, "epoch": user.session_epoch})


def user_for_reset(token: str) -> AdminUser:
    try:
        data = _serializer().loads(token, max_age=int(RESET_MAX_AGE.total_seconds()))
    except BadData:
        raise NotFound(_l("This link is not valid any more. Ask your administrator for a new "
                          "one."), "reset_invalid") from None
    user = db.session.get(AdminUser, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or user.session_epoch != data.get("epoch"):
        raise NotFound(_l("This link is not valid any more. Ask your administrator for a new "
                          "one."), "reset_invalid")
    return user


def set_password_checked(user: AdminUser, password: str, repeat: str, *, actor) -> None:
    if password != repeat:
        raise ValidationError(_l("The two passwords differ."), "password_mismatch",
                              field="repeat")
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    db.session.flush()
    audit.record("user.password", user, actor=actor)
