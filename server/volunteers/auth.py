"""The volunteer's phone session (its own signed cookie) and the phone home's link registry.

Contract for other features: `current_volunteer()`, `@volunteer_login_required`, and
`add_phone_link(app, endpoint, label, order)` for links on the phone home page (/v/).
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import (
    Flask,
    after_this_request,
    current_app,
    g,
    redirect,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from .models import Volunteer

COOKIE = "wm_volunteer"  # its name is cookie_name(): "__Host-wm_volunteer" over https
LIFETIME = timedelta(days=180)
_SALT = "volunteer-session"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def cookie_name() -> str:
    return current_app.config.get("VOLUNTEER_COOKIE_NAME", COOKIE)


def _lifetime() -> timedelta:
    return current_app.config.get("VOLUNTEER_SESSION_LIFETIME", LIFETIME)


def current_volunteer() -> Volunteer | None:
    """The volunteer logged in on this phone, or None. Cached per request."""
    if "current_volunteer" not in g:
        volunteer = None
        raw = request.cookies.get(cookie_name())
        if raw:
            try:
                data = _serializer().loads(raw, max_age=int(_lifetime().total_seconds()))
            except BadSignature:
                data = None
            if isinstance(data, dict):
                volunteer = db.session.get(Volunteer, data.get("vid"))
                if volunteer is None or not volunteer.is_active \
                        or volunteer.session_epoch != data.get("epoch"):
                    volunteer = None
        g.current_volunteer = volunteer
    return g.current_volunteer


def login_volunteer(volunteer: Volunteer) -> None:
    """Start (or renew, after an epoch bump) the long-lived session on this phone."""
    value = _serializer().dumps({"vid": volunteer.id, "epoch": volunteer.session_epoch})
    g.current_volunteer = volunteer

    @after_this_request
    def _set(response):
        response.set_cookie(cookie_name(), value, max_age=int(_lifetime().total_seconds()),
                            path="/", httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
        return response


def logout_volunteer() -> None:
    g.current_volunteer = None

    @after_this_request
    def _clear(response):
        response.delete_cookie(cookie_name(), path="/", httponly=True, samesite="Lax",
                               secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
        return response


def volunteer_login_required(view):
    """Without a phone session, go to a page that explains how to log in — it never asks for a
    password, because the request may have come from scanning a public poster."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_volunteer() is None:
            return redirect(url_for("volunteers_mobile.login_needed"))
        return view(*args, **kwargs)

    return wrapped


def add_phone_link(app: Flask, endpoint: str, label, order: int) -> None:
    """A link on the volunteer's phone home page, e.g. "my shifts" from the shifts feature."""
    links = app.extensions.setdefault("wenming_phone_links", [])
    links.append({"endpoint": endpoint, "label": label, "order": order})
    links.sort(key=lambda item: item["order"])


def phone_links(app: Flask) -> list[dict]:
    return list(app.extensions.get("wenming_phone_links", []))
