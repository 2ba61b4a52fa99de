"""The web edge: error pages and JSON errors, security headers, template helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import contextmanager

from flask import Flask, Response, flash, redirect, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import audit
from .api import error_body, wants_json
from .auth import current_user
from .db import discard_work, mark_failed, writing
from .elder import elder_mode
from .errors import DomainError, ValidationError
from .i18n import LOCALES, _, _l
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


def submit_form(form, save: Callable[[], object], *, done: Callable[[], str],
                field_errors: Mapping[str, Callable[[], DomainError]] | None = None):
    """One round of a dashboard edit form. A valid post runs `save` (the feature's operation):
    on success "Saved." is flashed and the redirect to `done()` is returned; a DomainError rolls
    the request back and is returned, to be shown beside its field. A post WTForms refused
    returns the first refusal of `field_errors` (field name -> the error in words) whose field
    failed, else the expired-form error. A GET returns None."""
    if form.validate_on_submit():
        try:
            save()
        except DomainError as exc:
            mark_failed()
            return exc
        flash(_("Saved."), "success")
        return redirect(done())
    return form_refusal(form, field_errors) if form.errors else None


def form_refusal(form, field_errors: Mapping[str, Callable[[], DomainError]] | None = None
                 ) -> DomainError:
    """What a form WTForms refused says, in words and naming its field: the first of
    `field_errors` whose field failed, else (or when the CSRF token failed) the expired form."""
    if "csrf_token" not in form.errors:
        for field, error in (field_errors or {}).items():
            if field in form.errors:
                return error()
    return ValidationError(_l("The form expired. Please try again."), "csrf_failed")


def confirm_first(title: str, consequence: str, *, confirm_label: str, back_url: str):
    """A dangerous action asks first, on a page of its own (so it works without JavaScript):
    None once the posted form carries confirmed=1, else the page to answer with. The page
    posts the same fields again, with confirmed=1 and a fresh CSRF token."""
    if request.form.get("confirmed") == "1":
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", "confirmed")]
    return render_template("confirm.html", title=title, consequence=consequence,
                           confirm_label=confirm_label, back_url=back_url, fields=fields,
                           action=request.path)


def page_action(form, act: Callable[[], str], *, to: str, confirm: Mapping | None = None):
    """One dashboard POST action, as every feature's page does it: the form is checked (an
    expired one is said so, never dropped silently); a dangerous action asks first (`confirm`:
    confirm_first's title, consequence and confirm_label; it goes back to `to`); `act` runs the
    feature's operation and returns its success in words, flashed; a DomainError rolls the
    request back and is flashed instead. Then the redirect to `to`."""
    if not form.validate_on_submit():
        flash(str(form_refusal(form).message), "error")
        return redirect(to)
    if confirm is not None:
        ask = confirm_first(confirm["title"], confirm["consequence"],
                            confirm_label=confirm["confirm_label"], back_url=to)
        if ask is not None:
            return ask
    with refusal_flashed():
        flash(act(), "success")
    return redirect(to)


def actor_text(label: str | None) -> str:
    """Who did something, as stored ("rule", "system", "volunteer V1", "kiosk 3", a username),
    in words for people; an admin's username stays as it is."""
    label = label or ""
    words = {"rule": _("the system's rules"), "system": _("the system"),
             "resident": _("the resident"), "cli": _("the command line"),
             "open311": _("the Open311 interface"), "demo": _("the demo data"),
             "phone": _("a phone"), "kiosk": _("a kiosk"), "anonymous": _("someone not logged in")}
    if label in words:
        return words[label]
    kind, _sep, rest = label.partition(" ")
    if kind == "volunteer" and rest:
        return _("volunteer %(number)s", number=rest)
    if kind == "kiosk" and rest:
        return _("kiosk %(id)s", id=rest)
    return label


def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal and the unit ("2.5 小时"): a bare 2.5 says nothing."""
    value = f"{(minutes or 0) / 60:.1f}"
    return _("%(h)s h", h=value)


def download(data, mimetype: str, filename: str) -> Response:
    """A file the browser saves (posters, cards, code images); never cached."""
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


# Pages of residents and volunteers on their phones: an error there is shown in their layout,
# without the machine code or a way into the dashboard.
PHONE_PATHS = ("/s/", "/S/", "/p/", "/P/", "/r/", "/orders/", "/v/")


def _respond(status: int, code: str, message: str, *, field=None, details=None,
             keep_writes: bool = False):
    if not keep_writes:
        mark_failed()
    if wants_json():
        return error_body(code, message, field=field, details=details), status
    return render_template("error.html", status=status, code=code, message=message,
                           phone=request.path.startswith(PHONE_PATHS)), status


# A revoked kiosk keeps asking until someone unplugs it: its refusal is the device's state,
# shown on the kiosks page, not an entry per request.
UNAUDITED_REFUSALS = {"device_revoked"}


def _audit_refusal(error: DomainError, code: str | None = None) -> None:
    """A permission refusal is audited (`code` names it when the answer hides it, as a 404 for
    a record outside the admin's subtree does): what the attempt wrote is undone, the entry
    kept (in a write transaction of its own, begun after SQLite's writer gate)."""
    discard_work()
    with writing():
        audit.record("access.refused", code=code or error.code, method=request.method,
                     path=request.path[:200])


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        refused = getattr(error, "refusal", None)  # out of scope, answered as not found
        if refused or (error.status == 403 and error.code not in UNAUDITED_REFUSALS):
            _audit_refusal(error, refused)
            return _respond(error.status, error.code, str(error.message), field=error.field,
                            details=error.details, keep_writes=True)
        return _respond(error.status, error.code, str(error.message), field=error.field,
                        details=error.details, keep_writes=error.keeps_writes)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return _respond(400, "csrf_failed",
                        _("The form expired or came from elsewhere. Please reload and retry."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        body, status = _respond(status, HTTP_CODES.get(status, "http_error"),
                                _http_message(status))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # RFC 9110: a 405 says which methods the resource has (TRACE and unknown ones too).
            return body, status, {"Allow": ", ".join(sorted(error.valid_methods))}
        return body, status

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
                "current_locale": str(get_locale()), "elder_mode": elder_mode(),
                "nav": app.extensions.get("wenming_nav", [])}

    app.jinja_env.filters["localtime"] = local
    app.jinja_env.filters["hours"] = hours
    app.jinja_env.filters["actor"] = actor_text
