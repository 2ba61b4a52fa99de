"""Kiosk action batches: each key applied once, refusals kept, one savepoint per action."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from ..core import audit
from ..core.errors import DomainError
from ..core.i18n import _
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..shifts.models import KioskAction
from .models import Device

Handler = Callable[[Device, dict, datetime, bool], dict]
HANDLERS: dict[str, Handler] = {}
SKEW_LIMIT = timedelta(minutes=5)
KEY_MAX = 64
BATCH_MAX = 500


def register(kind: str, handler: Handler) -> None:
    """Features register their action kinds at init_app: `sign`, `redeem`, `order`, …"""
    HANDLERS[kind] = handler


def parse_time(value) -> datetime | None:
    """An ISO 8601 time with an offset (a naive time is ambiguous on a kiosk: refused)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(parsed) if parsed.tzinfo is not None else None


def body_hash(kind, client_time, body) -> str:
    canonical = json.dumps({"kind": kind, "client_time": client_time, "body": body},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _error(status: int, code: str, message: str, details: dict | None = None) -> dict:
    return {"status": status, "error": {"code": code, "message": str(message),
                                        "details": details or {}}}


def measured_offset(batch: dict, received: datetime, device: Device) -> int:
    """Kiosk clock minus server clock, in ms: measured from sent_at, else as the kiosk says."""
    sent = parse_time(batch.get("sent_at"))
    if sent is not None:
        return int((sent - received).total_seconds() * 1000)
    reported = batch.get("clock_offset_ms")
    if isinstance(reported, int) and not isinstance(reported, bool):
        return reported
    return device.clock_offset_ms or 0


def process_batch(device: Device, batch: dict) -> list[dict]:
    """Answers in order. The caller commits; the device row lock serialises retries."""
    received = utcnow()
    # FOR NO KEY UPDATE: serialises this kiosk's batches without blocking the foreign-key
    # checks (KEY SHARE) of a phone scanning this kiosk's presence code at the same moment.
    device = db.session.scalar(select(Device).where(Device.id == device.id)
                               .with_for_update(key_share=True))
    offset_ms = measured_offset(batch, received, device)
    device.clock_offset_ms = offset_ms
    device.last_seen_at = received
    answers = []
    for item in batch["actions"]:
        answers.append(_one(device, item, received, offset_ms))
    return answers


def _one(device: Device, item, received: datetime, offset_ms: int) -> dict:
    key = item.get("key") if isinstance(item, dict) else None
    if not isinstance(key, str) or not key or len(key) > KEY_MAX:
        return {"key": key if isinstance(key, str) else None,
                **_error(400, "invalid_key", _("Each action needs a key of 1 to 64 characters."))}
    kind, raw_time, body = item.get("kind"), item.get("client_time"), item.get("body")
    digest = body_hash(kind, raw_time, body)
    stored = db.session.scalar(select(KioskAction).where(
        KioskAction.device_id == device.id, KioskAction.client_key == key))
    if stored is not None:
        if stored.body_hash != digest:
            return {"key": key, **_error(422, "key_reused", _(
                "This key was already used for a different action."))}
        return {"key": key, **stored.response}
    client_time = parse_time(raw_time)
    action = KioskAction(device_id=device.id, client_key=key, kind=str(kind)[:32],
                         body_hash=digest, client_time=client_time or received,
                         received_at=received, status=0, response={})
    if client_time is None:
        answer = _error(400, "invalid_client_time",
                        _("client_time must be an ISO 8601 time with a UTC offset."))
    elif kind not in HANDLERS:
        answer = _error(400, "unknown_kind", _("This kind of action is not known."),
                        {"kind": str(kind)[:32]})
    elif not isinstance(body, dict):
        answer = _error(400, "invalid_body", _("The action body must be a JSON object."))
    else:
        answer = _run(device, key, kind, body, client_time, received, offset_ms)
    action.status, action.response = answer["status"], answer
    db.session.add(action)
    db.session.flush()
    return {"key": key, **answer}


def is_skewed(client_time: datetime, received: datetime, offset_ms: int) -> bool:
    offset = timedelta(milliseconds=offset_ms)
    return abs(offset) > SKEW_LIMIT or client_time - offset > received + SKEW_LIMIT


def _run(device, key, kind, body, client_time, received, offset_ms) -> dict:
    skewed = is_skewed(client_time, received, offset_ms)
    savepoint = db.session.begin_nested()
    try:
        result = HANDLERS[kind](device, body, client_time, skewed)
        savepoint.commit()
    except DomainError as error:
        savepoint.rollback()
        # The refusal itself is kept (with the action and in the audit log), never dropped.
        audit.record("kiosk.action_refused", device, actor=f"kiosk {device.id}", key=key,
                     kind=kind, code=error.code, details=error.details)
        return _error(error.status, error.code, str(error.message), error.details)
    return {"status": 200, "result": result}
