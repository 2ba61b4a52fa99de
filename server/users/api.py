"""Who am I: the logged-in admin, with the CSRF token that API writes must send back."""

from flask import Blueprint
from flask_wtf.csrf import generate_csrf

from ..core import openapi
from ..core.api import error_responses
from ..core.auth import current_user, login_required
from ..core.openapi import API_PREFIX, documented
from ..sites.schemas import site_out

bp = Blueprint("users_api", __name__, url_prefix=API_PREFIX)

ME = openapi.component("Me", {
    "type": "object",
    "required": ["username", "role", "site", "csrf_token"],
    "properties": {
        "username": {"type": "string"},
        "display_name": {"type": "string"},
        "role": {"type": "string",
                 "enum": ["district_admin", "institute_admin", "station_admin"]},
        "site": openapi.ref("Site"),
        "csrf_token": {"type": "string",
                       "description": "send as the X-CSRFToken header on every write"},
    },
})


@bp.get("/me")
@login_required
@documented("The logged-in admin and a CSRF token",
            responses={200: ("the admin", ME), **error_responses(401)},
            tags=("accounts",), security=True)
def me():
    user = current_user()
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "site": site_out(user.site), "csrf_token": generate_csrf()}
