"""The database going away mid-request: a clean 503 in the route's own shape, never a 500.

An OperationalError or InterfaceError from SQLAlchemy (a dropped connection, a server
restarting, SQLite's lock held past the busy timeout) ends the request's transaction with a
rollback, so nothing of the request is half-written and what earlier requests committed stays.
The answer is 503 with `Retry-After`: the JSON error for the API (a kiosk keeps its outbox and
retries), a page otherwise. The pool has already dropped a connection SQLAlchemy saw
disconnect (`pool_pre_ping` on PostgreSQL checks the next one out), so a retry gets a fresh one.
"""

from __future__ import annotations

import logging

from flask import Flask, g
from sqlalchemy import exc
from werkzeug.exceptions import InternalServerError

from ..extensions import db
from .i18n import _

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (exc.OperationalError, exc.InterfaceError)


def _unavailable(error: Exception):
    from .web import _respond

    log.warning("database unavailable: %s", error)
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the pool discards it
        db.session.close()
    g.rollback = True
    g.current_user = None  # the page's layout must not ask the database who is logged in
    g.current_volunteer = None
    body, status = _respond(
        503, "database_unavailable",
        _("The service is briefly unavailable. Nothing was lost; please try again in a "
          "moment."), keep_writes=True)
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    for kind in DATABASE_ERRORS:
        app.register_error_handler(kind, _unavailable)

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):
        # An error in an after_request function (the commit itself) reaches Flask as a 500
        # wrapping the original exception.
        if isinstance(error.original_exception, DATABASE_ERRORS):
            return _unavailable(error.original_exception)
        from .web import _respond

        return _respond(500, "server_error",
                        _("Something went wrong on our side. Please try again."))
