"""The web edge: error pages and JSON errors, security headers, template helpers."""

from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, Response, flash, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .api import error_body, wants_json
from .auth import current_user
from .db import mark_failed
from .errors import DomainError
from .i18n import LOCALES, _
from .timeutil import local

# Messages for HTTP errors that the framework raises before our code runs.
HTTP_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "rate_limited",
              500: "server_error"}


def _http_message(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        403: _("You may not do this."),
        404: _("This page does not exist."),
        405: _("This address does not accept that kind of request."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }.get(status, _("Something went wrong on our side. Please try again."))


@contextmanager
def refusal_flashed():
    """For a page action: a DomainError inside rolls the request's writes back and becomes an
    error message, and the view goes on (usually to its redirect). Success is flashed inside."""
    try:
        yield
    except DomainError as error:
        mark_failed()
        flash(str(error.message), "error")


def download(data, mimetype: str, filename: str) -> Response:
    """A file the browser saves (posters, cards, code images); never cached."""
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def _respond(status: int, code: str, message: str, *, field=None, details=None,
             keep_writes: bool = False):
    if not keep_writes:
        mark_failed()
    if wants_json():
        return error_body(code, message, field=field, details=details), status
    return render_template("error.html", status=status, code=code, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return _respond(error.status, error.code, str(error.message), field=error.field,
                        details=error.details, keep_writes=error.keeps_writes)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return _respond(400, "csrf_failed",
                        _("The form expired or came from elsewhere. Please reload and retry."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        return _respond(status, HTTP_CODES.get(status, "http_error"), _http_message(status))

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/api/"):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.context_processor
    def _template_globals():
        return {"current_user": current_user(), "locales": LOCALES,
                "current_locale": str(get_locale()),
                "nav": app.extensions.get("wenming_nav", [])}

    app.jinja_env.filters["localtime"] = local
