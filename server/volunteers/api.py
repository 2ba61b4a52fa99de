"""JSON endpoints for volunteers, scoped to the admin's subtree; phones masked in lists."""

from __future__ import annotations

from flask import Blueprint, request

from ..core.api import error_responses, json_body
from ..core.auth import current_user, login_required, require_site
from ..core.errors import ValidationError
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from . import operations as ops
from .admin import require_volunteer
from .schemas import VOLUNTEER, VOLUNTEER_CREATE, VOLUNTEER_LIST, volunteer_out

bp = Blueprint("volunteers_api", __name__, url_prefix=API_PREFIX + "/volunteers")
PER_PAGE_MAX = 200


@bp.get("")
@login_required
@documented(
    "List or search volunteers whose home site is in your subtree (phones masked)",
    query={"q": {"type": "string"}, "team": {"type": "integer"}, "site": {"type": "integer"},
           "inactive": {"type": "boolean"}, "page": {"type": "integer", "minimum": 1},
           "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX}},
    responses={200: ("a page of volunteers", VOLUNTEER_LIST),
               **error_responses(401, 403, 404)},
    tags=("volunteers",), security=True,
)
def list_volunteers():
    args = request.args
    site = require_site(args.get("site", type=int)) if args.get("site", type=int) else None
    page = max(args.get("page", 1, type=int), 1)
    per_page = min(max(args.get("per_page", 50, type=int), 1), PER_PAGE_MAX)
    rows, total = ops.search(current_user().site, args.get("q", ""),
                             team_id=args.get("team", type=int), site=site,
                             include_inactive=args.get("inactive") in {"1", "true"},
                             page=page, per_page=per_page)
    return {"volunteers": [volunteer_out(v) for v in rows], "total": total, "page": page,
            "per_page": per_page}


@bp.get("/<number>")
@login_required
@documented("One volunteer (phone unmasked for the admin who manages them)",
            responses={200: ("the volunteer", VOLUNTEER), **error_responses(401, 403, 404)},
            tags=("volunteers",), security=True)
def get_volunteer(number: str):
    return volunteer_out(require_volunteer(number), masked=False)


@bp.post("")
@login_required
@documented("Add a volunteer: a number is assigned and the personal code issued",
            request=VOLUNTEER_CREATE,
            responses={201: ("created", VOLUNTEER), **error_responses(400, 401, 403)},
            tags=("volunteers",), security=True)
def create_volunteer():
    data = json_body()
    unknown = set(data) - {"name", "phone", "home_site_id", "skills"}
    if unknown:
        raise ValidationError(_l("Unknown fields: %(f)s", f=", ".join(sorted(unknown))),
                              "unknown_field")
    site_id = data.get("home_site_id")
    if not isinstance(site_id, int) or isinstance(site_id, bool):
        raise ValidationError(_l("home_site_id must be a whole number."), "invalid_type",
                              field="home_site_id")
    volunteer = ops.create_volunteer(name=data.get("name"), phone=data.get("phone"),
                                     home_site_id=site_id, skills=data.get("skills"),
                                     actor=current_user())
    return volunteer_out(volunteer, masked=False), 201
