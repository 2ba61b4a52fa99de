"""The elder version (长辈版) of the phone pages: a switch in the header, remembered per phone."""

from __future__ import annotations

from flask import Blueprint, has_request_context, redirect, request

__all__ = ["COOKIE", "bp", "elder_mode"]

COOKIE = "elder"
# A phone keeps its reader: a year, renewed each time the switch is used.
MAX_AGE = 365 * 24 * 3600

bp = Blueprint("elder", __name__)


def elder_mode() -> bool:
    """Whether this phone chose the elder version."""
    return has_request_context() and request.cookies.get(COOKIE) == "1"


@bp.get("/elder/<state>")
def switch(state: str):
    target = request.args.get("next", "")
    # Only local paths, as for the language switch: no open redirect from a poster's domain.
    if not target.startswith("/") or target.startswith("//"):
        target = "/s/"
    response = redirect(target)
    if state == "on":
        response.set_cookie(COOKIE, "1", max_age=MAX_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    elif state == "off":
        response.delete_cookie(COOKIE, samesite="Lax", httponly=True, secure=request.is_secure)
    return response
