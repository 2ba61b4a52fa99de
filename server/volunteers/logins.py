"""Phone logins without SMS: one-time links an admin issues, and number + password."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import DomainError, ValidationError
from ..core.i18n import _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from .models import LoginLink, Volunteer

LINK_LIFETIME = timedelta(hours=24)
PASSWORD_MIN, PASSWORD_MAX = 8, 128
_hasher = PasswordHasher()  # argon2id, as for admin accounts
_DUMMY_HASH = _hasher.hash("not-a-real-password")  # verify against it so timing tells nothing

REFUSALS = {
    "link_unknown": (404, _l("This login link is not valid. Ask your station for a new one.")),
    "link_used": (410, _l("This login link has already been used. Each link works once: ask "
                          "your station for a new one.")),
    "link_expired": (410, _l("This login link has expired (links work for 24 hours). Ask your "
                             "station for a new one.")),
    "volunteer_inactive": (403, _l("This volunteer account is deactivated.")),
}


class LinkRefused(DomainError):
    """A login link that cannot log anyone in; `code` says why."""

    def __init__(self, code: str):
        status, message = REFUSALS[code]
        super().__init__(message, code, status=status)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_login_link(volunteer: Volunteer, *, actor: Actor = None) -> tuple[LoginLink, str]:
    """A new link; the token is returned once and only its hash is kept."""
    if not volunteer.is_active:
        raise LinkRefused("volunteer_inactive")
    token = secrets.token_urlsafe(32)
    link = LoginLink(volunteer_id=volunteer.id, token_hash=_digest(token),
                     created_by_user_id=actors.admin_id(actor),
                     expires_at=utcnow() + LINK_LIFETIME)
    db.session.add(link)
    db.session.flush()
    audit.record("volunteer.login_link", volunteer, actor=actor, link_id=link.id)
    return link, token


def check_link(token: str, *, lock: bool = False) -> LoginLink:
    """The link for `token` if it can still log in, else LinkRefused."""
    query = select(LoginLink).where(LoginLink.token_hash == _digest(token or ""))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    link = db.session.scalar(query)
    if link is None:
        raise LinkRefused("link_unknown")
    if link.used_at is not None:
        raise LinkRefused("link_used")
    if as_utc(link.expires_at) <= utcnow():
        raise LinkRefused("link_expired")
    if not link.volunteer.is_active:
        raise LinkRefused("volunteer_inactive")
    return link


def consume_login_link(token: str) -> Volunteer:
    """Use the link up (locked, so two phones racing get one login) and return its volunteer."""
    link = check_link(token, lock=True)
    link.used_at = utcnow()
    db.session.flush()
    audit.record("volunteer.login", link.volunteer, actor=link.volunteer.number, method="link",
                 link_id=link.id)
    return link.volunteer


def set_password(volunteer: Volunteer, password: str) -> None:
    """Set or change the phone password; other phones are logged out (epoch bump)."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError(_l("The password needs at least %(n)d characters.",
                                 n=PASSWORD_MIN), "password_too_short", field="password")
    if len(password) > PASSWORD_MAX:
        raise ValidationError(_l("The password is too long."), "password_too_long",
                              field="password")
    volunteer.password_hash = _hasher.hash(password)
    volunteer.session_epoch += 1
    db.session.flush()
    audit.record("volunteer.password", volunteer, actor=volunteer.number)


def authenticate(number: str, password: str) -> Volunteer | None:
    volunteer = db.session.scalar(select(Volunteer).where(
        Volunteer.number == (number or "").strip().upper()))
    stored = volunteer.password_hash if volunteer is not None and volunteer.password_hash \
        else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if volunteer is None or not volunteer.password_hash or not volunteer.is_active:
        return None
    if _hasher.check_needs_rehash(volunteer.password_hash):
        volunteer.password_hash = _hasher.hash(password)
    audit.record("volunteer.login", volunteer, actor=volunteer.number, method="password")
    return volunteer
