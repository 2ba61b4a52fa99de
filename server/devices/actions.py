"""Kiosk action batches: each key applied once, refusals kept, one savepoint per action."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.engine import Engine

from ..core import audit
from ..core.errors import DomainError
from ..core.hot import Hot, insert_or_nothing
from ..core.i18n import _
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..shifts.models import KioskAction
from .models import Device
from .operations import record_contact

Handler = Callable[[Device, dict, datetime, bool], dict]


class Registered(NamedTuple):
    run: Handler
    # The handler refuses only before it writes: it runs without a savepoint of its own (two
    # statements fewer on the busiest path, the card read); a write before a refusal is caught
    # at run time and fails the whole request instead of keeping half an action.
    refuses_before_writing: bool = False
    # All the handler does is in the request's transaction (it sends no message, writes no
    # file), so a rollback undoes it: a batch of such actions runs before its keys are checked
    # (one statement fewer per upload) and, should a key turn out to be a retry, runs again.
    undone_by_rollback: bool = False
    # Work on the body alone (no database, no refusal) that run() would do anyway, done before
    # the kiosk is authenticated: on SQLite, outside the one writer's turn (a card's signature).
    prepare: Callable[[dict], None] | None = None
    # For an upload of this one action: the kiosk (locked, with its site) and what the action
    # reads first, found by one statement; (secret, body) -> Device, or None to take the usual
    # way (which also decides every refusal).
    with_device: Callable[[str, dict], Device | None] | None = None


HANDLERS: dict[str, Registered] = {}
_writes: ContextVar[list[int] | None] = ContextVar("kiosk_action_writes", default=None)
SKEW_LIMIT = timedelta(minutes=5)
# A kiosk that sends sent_at gets a new measured offset on every upload (network jitter); it is
# stored only when it moved this much, so a busy kiosk's uploads do not rewrite its row.
OFFSET_RESOLUTION_MS = 1000
KEY_MAX = 64
BATCH_MAX = 500
# Built once: the hot path of every upload runs them as plain statements, not ORM queries.
_INSERT_ACTION = Hot(insert(KioskAction.__table__))
# Stores an action unless its key is already stored: the id, or None for a key seen before.
_CLAIM_ACTION = insert_or_nothing(KioskAction.__table__, returning=KioskAction.__table__.c.id,
                                  index_elements=["device_id", "client_key"])
_STORED_ANSWERS = Hot(select(KioskAction.client_key, KioskAction.body_hash, KioskAction.response)
                      .where(KioskAction.device_id == bindparam("device_id"),
                             KioskAction.client_key.in_(bindparam("keys", expanding=True))))


def register(kind: str, handler: Handler, *, refuses_before_writing: bool = False,
             undone_by_rollback: bool = False, prepare: Callable[[dict], None] | None = None,
             with_device: Callable[[str, dict], Device | None] | None = None) -> None:
    """Features register their action kinds at init_app: `sign`, `redeem`, `order`, …
    `refuses_before_writing`: every DomainError the handler raises comes before its first
    write, so it needs no savepoint to be undone. `undone_by_rollback`: the handler has no
    effect outside the database transaction. `prepare`: see Registered."""
    HANDLERS[kind] = Registered(handler, refuses_before_writing, undone_by_rollback, prepare,
                                with_device)


def prepare(batch) -> None:
    """Each action's `prepare`, before the kiosk's lock is taken (the caller authenticates
    afterwards). Decides nothing: a malformed batch is answered later, as it would be anyway."""
    items = batch.get("actions") if isinstance(batch, dict) else None
    if not isinstance(items, list) or len(items) > BATCH_MAX:
        return
    for item in items:
        handler = _handler(item)
        if handler is not None and handler.prepare is not None \
                and isinstance(item.get("body"), dict):
            handler.prepare(item["body"])


def device_with_action(secret: str, batch) -> Device | None:
    """For a batch of one action whose kind has `with_device`: the kiosk it found together
    with what the action reads; None otherwise (the caller authenticates the usual way)."""
    items = batch.get("actions") if isinstance(batch, dict) else None
    if not secret or not isinstance(items, list) or len(items) != 1:
        return None
    handler = _handler(items[0])
    body = items[0].get("body") if handler is not None else None
    if handler is None or handler.with_device is None or not isinstance(body, dict):
        return None
    return handler.with_device(secret, body)


def _handler(item) -> Registered | None:
    kind = item.get("kind") if isinstance(item, dict) else None
    return HANDLERS.get(kind) if isinstance(kind, str) else None


class SeenBefore(Exception):  # noqa: N818 (a signal to the caller, not an error)
    """A batch run before its keys were checked met a key already stored. The caller rolls
    back and runs the batch again with keys_checked_first=True."""


class WroteBeforeRefusing(RuntimeError):
    """A handler registered with refuses_before_writing wrote, then refused: a bug. The whole
    request fails (500) and rolls back; the kiosk keeps the action and sends it again."""


@event.listens_for(Engine, "before_cursor_execute")
def _count_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    counter = _writes.get()
    if counter is not None and statement.lstrip()[:6].upper() != "SELECT":
        counter[0] += 1


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


def process_batch(device: Device, batch: dict, *, keys_checked_first: bool = False
                  ) -> list[dict]:
    """Answers in order. The caller commits, and holds the device's row lock (device_required
    takes it for writes): a retry racing the original upload waits, then finds its answers.

    A batch whose actions are all undone_by_rollback is run without first looking up its keys
    (most uploads are new): each action's row is stored with INSERT … ON CONFLICT DO NOTHING,
    and a key already there raises SeenBefore, for the caller to roll back and run the batch
    again with keys_checked_first, when stored answers are returned and nothing runs twice."""
    received = utcnow()
    offset_ms = measured_offset(batch, received, device)
    stored = device.clock_offset_ms
    if stored is None or abs(offset_ms - stored) >= OFFSET_RESOLUTION_MS:
        record_contact(device, clock_offset_ms=offset_ms)  # last_seen_at is device_required's
    items = batch["actions"]
    claim = not keys_checked_first and all(map(_undone_by_rollback, items))
    answers = {} if claim else _stored_answers(device, items)
    return [_one(device, item, received, offset_ms, answers, claim) for item in items]


def _undone_by_rollback(item) -> bool:
    handler = _handler(item)
    return handler is not None and handler.undone_by_rollback


def _usable_key(item) -> str | None:
    key = item.get("key") if isinstance(item, dict) else None
    return key if isinstance(key, str) and key and len(key) <= KEY_MAX else None


def _stored_answers(device: Device, items: list) -> dict[str, tuple[str, dict]]:
    """What was already answered for this batch's keys, in one query: key → (hash, answer)."""
    keys = {key for key in map(_usable_key, items) if key is not None}
    if not keys:
        return {}
    rows = _STORED_ANSWERS.rows({"device_id": device.id, "keys": sorted(keys)})
    return {key: (digest, response) for key, digest, response in rows}


def _one(device: Device, item, received: datetime, offset_ms: int,
         stored: dict[str, tuple[str, dict]], claim: bool) -> dict:
    key = _usable_key(item)
    if key is None:
        key = item.get("key") if isinstance(item, dict) else None
        return {"key": key if isinstance(key, str) else None,
                **_error(400, "invalid_key", _("Each action needs a key of 1 to 64 characters."))}
    kind, raw_time, body = item.get("kind"), item.get("client_time"), item.get("body")
    digest = body_hash(kind, raw_time, body)
    if key in stored:
        stored_digest, response = stored[key]
        if stored_digest != digest:
            return {"key": key, **_error(422, "key_reused", _(
                "This key was already used for a different action."))}
        return {"key": key, **response}
    client_time = parse_time(raw_time)
    if client_time is None:
        answer = _error(400, "invalid_client_time",
                        _("client_time must be an ISO 8601 time with a UTC offset."))
    elif _handler(item) is None:
        answer = _error(400, "unknown_kind", _("This kind of action is not known."),
                        {"kind": str(kind)[:32]})
    elif not isinstance(body, dict):
        answer = _error(400, "invalid_body", _("The action body must be a JSON object."))
    else:
        answer = _run(device, key, kind, body, client_time, received, offset_ms)
    # A plain INSERT: the unique (device, key) still refuses a second copy, and nothing in
    # this request reads the row back as an object.
    row = {"device_id": device.id, "client_key": key, "kind": str(kind)[:32],
           "body_hash": digest, "client_time": client_time or received, "received_at": received,
           "status": answer["status"], "response": answer}
    if not claim:
        _INSERT_ACTION.rows(row)
    elif _CLAIM_ACTION.scalar(row) is None:
        raise SeenBefore(key)
    stored[key] = (digest, answer)
    return {"key": key, **answer}


def is_skewed(client_time: datetime, received: datetime, offset_ms: int) -> bool:
    offset = timedelta(milliseconds=offset_ms)
    return abs(offset) > SKEW_LIMIT or client_time - offset > received + SKEW_LIMIT


def _run(device, key, kind, body, client_time, received, offset_ms) -> dict:
    skewed = is_skewed(client_time, received, offset_ms)
    handler = HANDLERS[kind]
    try:
        if handler.refuses_before_writing:
            result = _unguarded(kind, handler.run, device, body, client_time, skewed)
        else:
            with db.session.begin_nested():  # a refusal undoes what the action wrote
                result = handler.run(device, body, client_time, skewed)
    except DomainError as error:
        # The refusal itself is kept (with the action and in the audit log), never dropped.
        audit.record("kiosk.action_refused", device, actor=f"kiosk {device.id}", key=key,
                     kind=kind, code=error.code, details=error.details)
        return _error(error.status, error.code, str(error.message), error.details)
    return {"status": 200, "result": result}


def _unguarded(kind, run: Handler, device, body, client_time, skewed) -> dict:
    counter = [0]
    token = _writes.set(counter)
    try:
        return run(device, body, client_time, skewed)
    except DomainError as error:
        if counter[0]:
            raise WroteBeforeRefusing(f"{kind} wrote {counter[0]} statement(s), then refused "
                                      f"with {error.code}") from error
        raise
    finally:
        _writes.reset(token)
