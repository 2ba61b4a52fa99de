"""Who is logged in, and the one place that decides whether they may touch a site."""

from __future__ import annotations

from functools import wraps

from flask import g, redirect, request, session, url_for

from ..extensions import db
from .errors import DomainError, NotFound, Unauthorized
from .i18n import _l
from .schema import parse_id


def current_user():
    """The logged-in admin, or None. Cached per request."""
    from ..users.models import AdminUser

    if "current_user" not in g:
        user = None
        uid = session.get("uid")
        if uid is not None:
            user = db.session.get(AdminUser, uid)
            if user is None or not user.is_active or user.session_epoch != session.get("epoch"):
                user = None
        g.current_user = user
    return g.current_user


def login_user(user) -> None:
    locale = session.get("locale")
    session.clear()  # a fresh session on login: nothing from before carries over
    if locale:
        session["locale"] = locale
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    session.permanent = True
    g.current_user = user


def logout_user() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    g.current_user = None


def login_required(view):
    """Pages redirect to the login form; the JSON API answers 401 in the standard shape."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if request.path.startswith("/api/"):
                raise Unauthorized(_l("Please log in."))
            return redirect(url_for("users.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def require_site(site_id: int, *, include_inactive: bool = True,
                 missing: DomainError | None = None):
    """Load a site the current admin may manage, or raise NotFound (`missing` when given: the
    caller's own not-found error, for a row found through its site)."""
    from ..sites.models import Site

    # An id no row can have (too large for the column, zero, negative) is a missing site,
    # not a question for the database, which would refuse to bind it (a 5xx).
    number = parse_id(site_id)
    site = db.session.get(Site, number) if number is not None else None
    if site is None or (not include_inactive and not site.is_active):
        raise missing or site_not_found()
    authorize(site, missing=missing)
    return site


def site_not_found() -> NotFound:
    return NotFound(_l("No such site."), "site_not_found")


def authorize(site, *, missing: DomainError | None = None) -> None:
    """Refuse a site outside the admin's subtree exactly as a missing one is refused: 404 with
    the caller's not-found error (`missing`, else "no such site"), so nobody can probe ids for
    what exists elsewhere in the network."""
    user = current_user()
    if user is None:
        raise Unauthorized(_l("Please log in."))
    if not user.can_manage(site):
        error = missing or site_not_found()
        error.refusal = "out_of_scope"  # answered as missing, audited as the refusal it is
        raise error
