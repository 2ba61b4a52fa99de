"""Sessions and forms at the edge: HSTS and `__Host-` cookies over https, the Origin of
state-changing requests, and no session cookie for kiosks.

`BASE_URL` says whether the deployment is served over https (not PREFERRED_URL_SCHEME, which
also turns Flask's test client and url_for to https; the BASE_URL is the address people
use, wherever TLS ends). Then every response carries `Strict-Transport-Security`
(`HSTS_SECONDS`, 0 turns it off) and the cookies are named `__Host-…`: a browser keeps such
a cookie only when it is Secure, has Path=/ and no Domain, so a sibling subdomain or a
plain-http page cannot plant or shadow it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from .i18n import _l

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Called by other systems, never from a browser page with our cookies: a kiosk (Bearer secret),
# an Open311 client (api_key). Their Origin, if any, says nothing about forgery.
MACHINE_PATHS = ("/api/v1/kiosk/", "/open311/")


def configure(app: Flask) -> None:
    """Derive the cookie names and URL scheme from BASE_URL (called by create_app)."""
    cfg = app.config
    https = cfg["BASE_URL"].startswith("https://")
    host_prefix = (https and cfg["SESSION_COOKIE_SECURE"] and not cfg.get("SESSION_COOKIE_DOMAIN")
                   and cfg.get("SESSION_COOKIE_PATH") in (None, "/"))
    prefix = "__Host-" if host_prefix else ""
    cfg["SESSION_COOKIE_NAME"] = prefix + "session"
    cfg["VOLUNTEER_COOKIE_NAME"] = prefix + "wm_volunteer"
    cfg["HSTS_HEADER"] = (f"max-age={cfg['HSTS_SECONDS']}; includeSubDomains"
                          if https and cfg["HSTS_SECONDS"] > 0 else "")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_machine_request() -> bool:
    return request.path.startswith(MACHINE_PATHS) or \
        request.headers.get("Authorization", "").startswith("Bearer ")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, never set on a kiosk's or another system's request:
    a device has no browser session, and a cookie in its answers would only be stored and
    replayed by its HTTP library."""

    def should_set_cookie(self, app, session) -> bool:
        if is_machine_request():
            return False
        return super().should_set_cookie(app, session)


def check_origin(app: Flask) -> None:
    """A state-changing request from a browser page of another site is refused (403), whatever
    cookies it carries: the Origin header, when present, must be ours (BASE_URL, or the address
    the request was sent to). `Origin: null` (a sandboxed frame, a cross-site redirect) is
    refused too. Requests without Origin (old browsers, curl) fall to the CSRF token."""
    if request.method not in UNSAFE_METHODS or is_machine_request():
        return
    origin = request.headers.get("Origin")
    if origin is None:
        return
    allowed = {origin_of(app.config["BASE_URL"]), origin_of(request.host_url)}
    if origin.strip().lower() not in allowed:
        from .errors import Forbidden

        raise Forbidden(_l("This request came from another website and was refused."),
                        "cross_origin")


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(lambda: check_origin(app))

    @app.after_request
    def _hsts(response):
        if app.config["HSTS_HEADER"]:
            response.headers.setdefault("Strict-Transport-Security", app.config["HSTS_HEADER"])
        return response
