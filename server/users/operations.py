"""Account rules: create, authenticate, change password; argon2id hashes."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core import audit
from ..core.actors import Actor
from ..core.errors import Conflict, ValidationError
from ..core.i18n import _l
from ..core.timeutil import utcnow
from ..extensions import db
from ..sites.models import Site
from .models import ROLE_SITE_KIND, USERNAME_MAX, AdminUser, Role

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_USERNAME = re.compile(rf"^[A-Za-z0-9_.-]{{3,{USERNAME_MAX}}}$")
PASSWORD_MIN = 10
# A fixed hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            _l("The password needs at least %(n)d characters.", n=PASSWORD_MIN),
            "password_too_short", field="password",
        )
    return _hasher.hash(password)


def create_user(username: str, password: str, role: str, site: Site, *,
                display_name: str = "", actor: Actor = None) -> AdminUser:
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise ValidationError(
            _l("A username is 3-64 letters, digits, dots, dashes or underscores."),
            "invalid_username", field="username",
        )
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(_l("Unknown role."), "invalid_role", field="role") from None
    if site.kind != ROLE_SITE_KIND[role]:
        raise ValidationError(
            _l("This role manages a site of another kind."), "role_site_mismatch", field="site_id"
        )
    if db.session.scalar(db.select(AdminUser.id).where(AdminUser.username == username)):
        raise Conflict(_l("That username is taken."), "username_taken", field="username")
    user = AdminUser(
        username=username,
        display_name=(display_name or username)[:64],
        password_hash=hash_password(password),
        role=role,
        site_id=site.id,
        site_kind=site.kind,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, role=str(role), site_id=site.id)
    return user


def authenticate(username: str, password: str) -> AdminUser | None:
    user = db.session.scalar(db.select(AdminUser).where(AdminUser.username == username.strip()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def set_password(user: AdminUser, password: str, *, actor: Actor = None) -> None:
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    audit.record("user.password", user, actor=actor)


def set_active(user: AdminUser, active: bool, *, actor: Actor = None) -> AdminUser:
    """Disabling an account ends every session it has (the epoch moves on, so enabling it
    again does not bring an old cookie back to life). The one rule for the dashboard's
    accounts page (`actor` the admin) and the CLI (`actor="cli"`); a repeat changes nothing."""
    user = db.session.get(AdminUser, user.id, with_for_update=True, populate_existing=True)
    if user.is_active == active:
        return user
    user.is_active = active
    user.session_epoch += 1
    db.session.flush()
    audit.record("user.enable" if active else "user.disable", user, actor=actor)
    return user


def get_by_username(username: str) -> AdminUser | None:
    return db.session.scalar(db.select(AdminUser).where(AdminUser.username == username.strip()))


def check_password(user: AdminUser, password: str) -> bool:
    """Whether `password` is the account's own (to confirm a change of it)."""
    try:
        return _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
