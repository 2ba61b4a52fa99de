"""JSON endpoints: the public key set and revocation feed for kiosks, resolving, site codes."""

from __future__ import annotations

from flask import Blueprint, request

from ..core import limits
from ..core.api import error_responses, json_body
from ..core.auth import current_user, login_required, require_site
from ..core.errors import NotFound, ValidationError
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from ..extensions import csrf, limiter
from ..sites.schemas import site_out
from . import keys
from . import operations as ops
from .models import CODE_TYPES
from .schemas import (
    CODE,
    KEYS,
    REASON_IN,
    RESOLVE_IN,
    REVOCATIONS,
    ROTATE_IN,
    code_out,
    revocation_out,
)

bp = Blueprint("codes_api", __name__, url_prefix=API_PREFIX)

PAGE = 1000


@bp.get("/keys")
@documented("Public keys that verify service codes offline (retired ones marked)",
            responses={200: ("the keyring", KEYS)}, tags=("codes",))
def public_keys():
    entries = []
    for record in keys.all_keys():
        jwk = record.jwk()
        if record.retired_at is not None:
            jwk["retired"] = True
        entries.append(jwk)
    return {"keys": entries}


@bp.get("/revocations")
@documented("Revoked codes after a cursor, oldest first",
            query={"since": {"type": "integer", "minimum": 0}},
            responses={200: ("revocations", REVOCATIONS), **error_responses(400)},
            tags=("codes",))
def revocations():
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise ValidationError(_l("since must be a cursor from an earlier answer."),
                              "invalid_cursor", field="since")
    entries = ops.revocations_since(int(since), PAGE + 1)
    page = entries[:PAGE]
    return {"revocations": [revocation_out(e) for e in page],
            "cursor": page[-1].id if page else int(since), "more": len(entries) > PAGE}


@bp.post("/codes/resolve")
@csrf.exempt  # public and stateless: no session is read or changed
@limiter.limit(limits.limit("RATELIMIT_CODES"))
@documented("Verify a scanned code and say what it is",
            request=RESOLVE_IN,
            responses={200: ("the code and its site", CODE), **error_responses(400, 429),
                       410: ("revoked or expired", {"$ref": "#/components/schemas/Error"})},
            tags=("codes",))
def resolve():
    data = json_body()
    text = data.get("text")
    if not isinstance(text, str) or not text or len(text) > 2000:
        raise ValidationError(_l("text must be the scanned code."), "invalid_text", field="text")
    expected = data.get("type")
    if expected is not None and expected not in CODE_TYPES:
        raise ValidationError(_l("Unknown code type."), "invalid_type", field="type")
    code = ops.resolve(text, expected_type=expected, source="api")
    body = code_out(code)
    if code.site is not None:
        body["site"] = site_out(code.site)
    return body


@bp.get("/sites/<int:site_id>/code")
@login_required
@documented("The site's live point code",
            responses={200: ("the code", CODE), **error_responses(401, 403, 404)},
            tags=("codes",), security=True)
def site_code(site_id: int):
    code = ops.point_code(require_site(site_id))
    if code is None:
        raise NotFound(_l("This site has no valid code yet."), "no_live_code")
    return code_out(code)


@bp.post("/sites/<int:site_id>/code/rotate")
@login_required
@documented("Withdraw the site's code and issue the next version", request=ROTATE_IN,
            responses={200: ("the new code", CODE), **error_responses(400, 401, 403, 404)},
            tags=("codes",), security=True)
def rotate_site_code(site_id: int):
    site = require_site(site_id)
    reason = json_body().get("reason") or "rotated"
    return code_out(ops.rotate_point_code(site, reason, actor=current_user()))


@bp.post("/sites/<int:site_id>/code/revoke")
@login_required
@documented("Withdraw the site's code without a replacement", request=REASON_IN,
            responses={200: ("the withdrawn code", CODE),
                       **error_responses(400, 401, 403, 404)},
            tags=("codes",), security=True)
def revoke_site_code(site_id: int):
    site = require_site(site_id)
    return code_out(ops.revoke_point_code(site, json_body().get("reason"),
                                          actor=current_user()))

