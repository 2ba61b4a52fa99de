"""JSON endpoints for the site tree, scoped to the caller's subtree."""

from __future__ import annotations

from flask import Blueprint, request

from ..core.api import error_responses, json_body
from ..core.auth import current_user, login_required, require_site
from ..core.errors import ValidationError
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from . import operations as ops
from .schemas import SITE, SITE_CREATE, SITE_LIST, SITE_UPDATE, site_out

bp = Blueprint("sites_api", __name__, url_prefix=API_PREFIX + "/sites")


def _listing(sites):
    counts = ops.child_counts([s.id for s in sites])
    return {"sites": [site_out(s, children=counts.get(s.id, 0)) for s in sites]}


@bp.get("")
@login_required
@documented(
    "List or search sites in your subtree",
    query={"q": {"type": "string"}, "kind": {"type": "string"},
           "parent_id": {"type": "integer"}, "active": {"type": "boolean"}},
    responses={200: ("sites", SITE_LIST), **error_responses(400, 401, 403, 404)},
    tags=("sites",), security=True,
)
def list_sites():
    parent_id = request.args.get("parent_id", type=int)
    include_inactive = request.args.get("active") not in {"1", "true"}
    if parent_id is not None:
        parent = require_site(parent_id)
        sites = [s for s in parent.children if include_inactive or s.is_active]
    else:
        sites = ops.search(current_user().site, request.args.get("q", ""),
                           kind=request.args.get("kind") or None,
                           include_inactive=include_inactive, limit=500)
    return _listing(sites)


@bp.get("/<int:site_id>")
@login_required
@documented("One site", responses={200: ("the site", SITE), **error_responses(401, 403, 404)},
            tags=("sites",), security=True)
def get_site(site_id: int):
    site = require_site(site_id)
    return site_out(site, children=len(site.children))


@bp.post("")
@login_required
@documented("Create a site under a parent you manage", request=SITE_CREATE,
            responses={201: ("created", SITE), **error_responses(400, 401, 403, 404, 409)},
            tags=("sites",), security=True)
def create_site():
    data = json_body()
    unknown = set(data) - {"kind", "parent_id", *ops.EDITABLE}
    if unknown:
        raise ValidationError(_l("Unknown fields: %(f)s", f=", ".join(sorted(unknown))),
                              "unknown_field")
    parent = None
    if data.get("parent_id") is not None:
        if not isinstance(data["parent_id"], int) or isinstance(data["parent_id"], bool):
            raise ValidationError(_l("parent_id must be a whole number."), "invalid_type",
                                  field="parent_id")
        parent = require_site(data["parent_id"])
    elif not current_user().is_district_admin:
        # Only a district admin could create the (single) center.
        raise ValidationError(_l("Choose the site this one belongs to."), "parent_required",
                              field="parent_id")
    fields = {k: data[k] for k in ops.EDITABLE if k in data}
    site = ops.create_site(kind=data.get("kind"), parent=parent, actor=current_user(), **fields)
    return site_out(site, children=0), 201


@bp.patch("/<int:site_id>")
@login_required
@documented("Change a site's name, address, coordinates or contact", request=SITE_UPDATE,
            responses={200: ("updated", SITE), **error_responses(400, 401, 403, 404, 409)},
            tags=("sites",), security=True)
def update_site(site_id: int):
    site = require_site(site_id)
    site = ops.update_site(site, actor=current_user(), **json_body())
    return site_out(site, children=len(site.children))


@bp.post("/<int:site_id>/deactivate")
@login_required
@documented("Deactivate a site and its whole subtree",
            responses={200: ("deactivated", SITE), **error_responses(401, 403, 404)},
            tags=("sites",), security=True)
def deactivate_site(site_id: int):
    site = require_site(site_id)
    ops.set_active(site, False, actor=current_user())
    return site_out(site, children=len(site.children))


@bp.post("/<int:site_id>/activate")
@login_required
@documented("Reactivate one site (its parent must be active)",
            responses={200: ("activated", SITE), **error_responses(400, 401, 403, 404)},
            tags=("sites",), security=True)
def activate_site(site_id: int):
    site = require_site(site_id)
    ops.set_active(site, True, actor=current_user())
    return site_out(site, children=len(site.children))
