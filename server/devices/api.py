"""The kiosk API: enroll, state, the volunteer cache feed and the action batch upload."""

from __future__ import annotations

from flask import Blueprint, g, request
from sqlalchemy import func, select

from ..codes import keys
from ..codes.models import CodeRevocation
from ..codes.operations import revocation_cursor
from ..core.api import error_responses, json_body
from ..core.db import commit_now
from ..core.edge import MB, body_limit
from ..core.errors import ValidationError
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from ..core.timeutil import utcnow
from ..extensions import csrf, db, limiter
from . import actions
from . import operations as ops
from .auth import bearer_secret, device_required
from .schemas import (
    ACTIONS_IN,
    ACTIONS_OUT,
    ENROLL_IN,
    ENROLLED,
    KIOSK_CHANGES,
    KIOSK_STATE,
    KIOSK_VOLUNTEERS,
    site_brief,
)

bp = Blueprint("devices_api", __name__, url_prefix=API_PREFIX + "/kiosk")
csrf.exempt(bp)  # kiosks send a bearer secret, never a session cookie


def _now_ms() -> int:
    return int(utcnow().timestamp() * 1000)


@bp.post("/enroll")
@limiter.limit("10 per minute")
@documented("Pair a kiosk with a site by the one-time enrollment code it scanned",
            request=ENROLL_IN,
            responses={201: ("the kiosk's identity and secrets", ENROLLED),
                       **error_responses(400, 404, 429),
                       410: ("code used, expired or revoked", {"$ref":
                                                                "#/components/schemas/Error"})},
            tags=("kiosk",))
def enroll():
    data = json_body()
    text = data.get("code")
    if not isinstance(text, str) or not text or len(text) > 2000:
        raise ValidationError(_l("code must be the scanned enrollment code."), "invalid_code",
                              field="code")
    device, secret, presence = ops.enroll(text, name=str(data.get("name") or ""),
                                          app_version=str(data.get("app_version") or ""))
    cursor = db.session.scalar(select(func.max(CodeRevocation.id))) or 0
    return {"device_id": device.id, "secret": secret,
            "presence_secret": ops.presence_key_text(presence),
            "site": site_brief(device.site), "base_url": ops.base_url(),
            "keys": [dict(r.jwk(), **({"retired": True} if r.retired_at else {}))
                     for r in keys.all_keys()],
            "revocation_cursor": cursor, "server_time_ms": _now_ms()}, 201


@bp.get("/state")
@device_required
@documented("Server time (for the kiosk's clock offset), this kiosk and its site",
            responses={200: ("state", KIOSK_STATE), **error_responses(401, 403)},
            tags=("kiosk",), security="kiosk")
def state():
    device = g.device
    return {"server_time_ms": _now_ms(),
            "device": {"id": device.id, "name": device.name, "revoked": False},
            "site": site_brief(device.site)}


@bp.get("/changes")
@device_required
@documented("The newest revocation and volunteer-change cursors, and who is signed in at the "
            "kiosk's site: polled every few seconds, so a withdrawn card is refused offline "
            "within seconds, not at the next refresh, and a card read signs out a volunteer who "
            "signed in elsewhere",
            responses={200: ("cursors", KIOSK_CHANGES), **error_responses(401, 403)},
            tags=("kiosk",), security="kiosk")
def changes():
    return {"revocation_cursor": revocation_cursor(),
            "volunteer_cursor": ops.volunteer_change_cursor(), **ops.change_feeds(g.device)}


@bp.get("/volunteers")
@device_required
@documented("Volunteers for the kiosk's offline cache: all (since=0) or changed since a cursor",
            query={"since": {"type": "integer", "minimum": 0}},
            responses={200: ("volunteers", KIOSK_VOLUNTEERS), **error_responses(400, 401, 403)},
            tags=("kiosk",), security="kiosk")
def volunteers():
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise ValidationError(_l("since must be a cursor from an earlier answer."),
                              "invalid_cursor", field="since")
    entries, cursor, full = ops.volunteer_feed(int(since))
    return {"volunteers": entries, "cursor": cursor, "full": full}


@bp.post("/actions")
@body_limit(2 * MB)  # 500 actions of a few KB each
@documented("Upload a batch of kiosk actions; each key is applied once",
            request=ACTIONS_IN, apart="actions",
            responses={200: ("one answer per action, in order", ACTIONS_OUT),
                       **error_responses(400, 401, 403)},
            tags=("kiosk",), security="kiosk")
def upload_actions():
    secret, version = bearer_secret(), request.headers.get("X-Kiosk-Version", "")[:32]
    batch = request.get_json(silent=True)
    # The answers are final once the work is done: committed before the response is built.
    answers = commit_now(lambda retrying: actions.upload(secret, batch, app_version=version,
                                                         retrying=retrying))
    return {"answers": answers, "server_time_ms": _now_ms()}
