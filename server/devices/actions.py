"""Kiosk action uploads: the kiosk found and locked, each key applied once, refusals kept."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import event, exc, select
from sqlalchemy.engine import Engine

from ..core import audit, edge, error_codes
from ..core.db import DIALECTS, RetryTransaction, by_dialect
from ..core.errors import DomainError, Forbidden, Unauthorized, ValidationError
from ..core.i18n import _, _l
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import operations as ops
from .models import Device, KioskAction

# handler(device, body, client_time, clock_skewed) -> result; a kind with `with_device` also
# gets held=<what with_device read with the kiosk> (None when the usual way found the kiosk).
Handler = Callable[..., dict]


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
    # the request's transaction begins: on SQLite, outside the one writer's turn (a card's
    # signature check).
    prepare: Callable[[dict], None] | None = None
    # For an upload of this one action: (secret, body) -> (kiosk, held) found by one statement,
    # the kiosk locked with its site and `held` what the action reads first, handed to run()
    # as held=; None to take the usual way (which also decides every refusal).
    with_device: Callable[[str, dict], tuple[Device, Any] | None] | None = None
    # The body's schema (an OpenAPI schema, usually a component): an action whose body breaks
    # it is refused on its own (400) before the handler runs.
    schema: dict | None = None


HANDLERS: dict[str, Registered] = {}
_writes: ContextVar[list[int] | None] = ContextVar("kiosk_action_writes", default=None)
SKEW_LIMIT = timedelta(minutes=5)
# A kiosk that sends sent_at gets a new measured offset on every upload (network jitter); it is
# stored only when it moved this much, so a busy kiosk's uploads do not rewrite its row.
OFFSET_RESOLUTION_MS = 1000
# Health to the minute is enough for the dashboard; a busy kiosk is not rewritten each time.
SEEN_RESOLUTION = timedelta(seconds=60)
KEY_MAX = 64
BATCH_MAX = 500
_actions = KioskAction.__table__
# The batch's action rows, one multi-row INSERT: stored unless a key is already stored (a
# retry), whose row comes back missing.
_CLAIM_ACTIONS = {name: dialect.insert(_actions)
                  .on_conflict_do_nothing(index_elements=["device_id", "client_key"])
                  .returning(_actions.c.client_key) for name, dialect in DIALECTS.items()}
_STORED_ANSWERS = select(_actions.c.client_key, _actions.c.body_hash, _actions.c.response)


def register(kind: str, handler: Handler, *, refuses_before_writing: bool = False,
             undone_by_rollback: bool = False, prepare: Callable[[dict], None] | None = None,
             with_device: Callable[[str, dict], tuple[Device, Any] | None] | None = None,
             schema: dict | None = None) -> None:
    """Features register their action kinds at init_app: `sign`, `redeem`, `order`, …
    `refuses_before_writing`: every DomainError the handler raises comes before its first
    write, so it needs no savepoint to be undone. `undone_by_rollback`: the handler has no
    effect outside the database transaction. `prepare`, `with_device`, `schema`: see
    Registered."""
    HANDLERS[kind] = Registered(handler, refuses_before_writing, undone_by_rollback, prepare,
                                with_device, schema)


class SeenBefore(RetryTransaction):
    """A batch run before its keys were checked met a key already stored (a retry): the
    attempt is undone and the batch runs again with its keys checked first."""


class WroteBeforeRefusing(RuntimeError):
    """A handler registered with refuses_before_writing wrote, then refused: a bug. The whole
    request fails (500) and rolls back; the kiosk keeps the action and sends it again."""


@event.listens_for(Engine, "before_cursor_execute")
def _count_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    counter = _writes.get()
    if counter is not None and statement.lstrip()[:6].upper() != "SELECT":
        counter[0] += 1


def upload(secret: str, batch, *, app_version: str = "", retrying: bool = False
           ) -> list[dict]:
    """One kiosk upload, answered in order: the batch checked, the kiosk (bearer `secret`)
    found and locked in the request's transaction, then each action applied once by its key.

    Run it through core.db.commit_now: a batch whose actions are all undone_by_rollback is
    run without first looking up its keys (most uploads are new), its action rows stored at
    the end with INSERT … ON CONFLICT DO NOTHING; a key already there (a retry) raises
    SeenBefore, and the batch runs again with `retrying`, its stored answers looked up first,
    so nothing runs twice. Holding the kiosk's row lock, a retry racing the original upload
    waits for it and then finds its answers (SQLite's writers run one at a time anyway)."""
    items = _items(batch)
    found = None
    if not retrying:
        for item in items:  # before the transaction begins: no database, no refusal
            handler = _handler(item)
            if handler is not None and handler.prepare is not None \
                    and isinstance(item.get("body"), dict):
                handler.prepare(item["body"])
        found = _with_device(secret, items)
    device = found[0] if found is not None else ops.device_for_secret(secret, lock=True)
    held = found[1] if found is not None else None
    checked(device)
    received = utcnow()
    offset_ms = _record_health(device, batch, received, app_version)
    claim = not retrying and all(map(_undone_by_rollback, items))
    answered = {} if claim else _stored_answers(device, items)
    rows: list[dict] = []
    answers = [_one(device, item, received, offset_ms, answered, rows, held)
               for item in items]
    if rows:
        stored = db.session.scalars(by_dialect(_CLAIM_ACTIONS), rows).all()
        if len(stored) < len(rows):
            # A retry of an upload whose keys were not looked up (claim); with the kiosk
            # locked and keys looked up first, a second attempt fails loudly instead.
            raise SeenBefore(sorted({r["client_key"] for r in rows} - set(stored)))
    return answers


def checked(device: Device | None) -> Device:
    """The kiosk a request names, or its refusal: 401 device_unknown when the secret names
    none, 403 device_revoked (with the reason) when it was revoked."""
    if device is None:
        raise Unauthorized(_l("This kiosk is not enrolled. Scan an enrollment code."),
                           "device_unknown")
    if device.revoked_at is not None:
        raise Forbidden(_l("This kiosk has been revoked by an administrator."),
                        "device_revoked", details={"reason": device.revoke_reason})
    return device


def _items(batch) -> list:
    if not isinstance(batch, dict):
        raise ValidationError(_l("The request body must be a JSON object."), "invalid_json")
    items = batch.get("actions")
    if not isinstance(items, list) or len(items) > BATCH_MAX:
        raise ValidationError(_l("actions must be a list of at most %(n)d actions.",
                                 n=BATCH_MAX), "invalid_actions", field="actions")
    return items


def _with_device(secret: str, items: list) -> tuple[Device, Any] | None:
    """For a batch of one action whose kind has `with_device`: the kiosk it found together
    with what the action reads; None otherwise (the kiosk is then found the usual way)."""
    if not secret or len(items) != 1:
        return None
    handler = _handler(items[0])
    body = items[0].get("body") if handler is not None else None
    if handler is None or handler.with_device is None or not isinstance(body, dict):
        return None
    return handler.with_device(secret, body)


def _handler(item) -> Registered | None:
    kind = item.get("kind") if isinstance(item, dict) else None
    return HANDLERS.get(kind) if isinstance(kind, str) else None


def _record_health(device: Device, batch: dict, received: datetime, app_version: str) -> int:
    """Last contact, app version and clock offset, written only when they moved (one UPDATE
    at most, usually none). The clock offset measured for this upload, in ms."""
    changes = {}
    seen = device.last_seen_at
    if seen is None or received - as_utc(seen) >= SEEN_RESOLUTION:
        changes["last_seen_at"] = received
    if app_version and app_version != device.app_version:
        changes["app_version"] = app_version
    offset_ms = measured_offset(batch, received, device)
    if device.clock_offset_ms is None \
            or abs(offset_ms - device.clock_offset_ms) >= OFFSET_RESOLUTION_MS:
        changes["clock_offset_ms"] = offset_ms
    outbox = outbox_length(batch.get("outbox"))
    if outbox is not None and outbox != device.outbox_length:
        changes["outbox_length"] = outbox
    if changes:
        ops.record_contact(device, **changes)
    return offset_ms


def outbox_length(value) -> int | None:
    """A kiosk's reported outbox backlog: a whole number of actions, else ignored."""
    if isinstance(value, str) and value.isdigit() and len(value) < 8:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10 ** 7:
        return value
    return None


def parse_time(value) -> datetime | None:
    """An ISO 8601 time with an offset (a naive time is ambiguous on a kiosk: refused)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return as_utc(parsed) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):  # OverflowError: a year 9999 time moved into UTC
        return None


def body_hash(kind, client_time, body) -> str:
    canonical = json.dumps({"kind": kind, "client_time": client_time, "body": body},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _error(status: int, code: str, message: str, details: dict | None = None) -> dict:
    return {"status": status, "error": {"code": error_codes.checked(code), "message": str(message),
                                        "details": details or {}}}


def measured_offset(batch: dict, received: datetime, device: Device) -> int:
    """Kiosk clock minus server clock, in ms: measured from sent_at, else as the kiosk says.

    Held within the stored column's range (about ±24 days): a clock further off than that is
    wrong beyond any correction, and the kiosk list shows it as far off either way."""
    sent = parse_time(batch.get("sent_at"))
    if sent is not None:
        return _held(int((sent - received).total_seconds() * 1000))
    reported = batch.get("clock_offset_ms")
    if isinstance(reported, int) and not isinstance(reported, bool) \
            and abs(reported) < 10 ** 12:
        return _held(reported)
    return device.clock_offset_ms or 0


def _held(offset_ms: int) -> int:
    low, high = edge.INT32
    return min(max(offset_ms, low), high)


def _undone_by_rollback(item) -> bool:
    handler = _handler(item)
    return handler is not None and handler.undone_by_rollback


def _usable_key(item) -> str | None:
    key = item.get("key") if isinstance(item, dict) else None
    return key if isinstance(key, str) and key and len(key) <= KEY_MAX \
        and not edge.has_control(key) else None


def _stored_answers(device: Device, items: list) -> dict[str, tuple[str, dict]]:
    """What was already answered for this batch's keys, in one query: key → (hash, answer)."""
    keys = {key for key in map(_usable_key, items) if key is not None}
    if not keys:
        return {}
    rows = db.session.execute(_STORED_ANSWERS.where(
        _actions.c.device_id == device.id, _actions.c.client_key.in_(sorted(keys))))
    return {row.client_key: (row.body_hash, row.response) for row in rows}


def _one(device: Device, item, received: datetime, offset_ms: int,
         answered: dict[str, tuple[str, dict]], rows: list[dict], held) -> dict:
    key = _usable_key(item)
    if key is None:
        key = item.get("key") if isinstance(item, dict) else None
        return {"key": edge.printable(key) if isinstance(key, str) and len(key) <= KEY_MAX
                else None,
                **_error(400, "invalid_key", _("Each action needs a key of 1 to 64 characters."))}
    kind, raw_time, body = item.get("kind"), item.get("client_time"), item.get("body")
    digest = body_hash(kind, raw_time, body)
    if key in answered:
        stored_digest, response = answered[key]
        if stored_digest != digest:
            return {"key": key, **_error(422, "key_reused", _(
                "This key was already used for a different action."))}
        return {"key": key, **response}
    # What the action holds is checked here, action by action (the API edge leaves the
    # batch's items to this function): one refused for its content is answered as refused,
    # and the batch's other actions are applied.
    problem = edge.problem_in(item)
    handler = _handler(item)
    client_time = parse_time(raw_time)
    if problem is not None:
        answer = _refused_content(device, key, kind, problem)
    elif client_time is None:
        answer = _error(400, "invalid_client_time",
                        _("client_time must be an ISO 8601 time with a UTC offset."))
    elif _handler(item) is None:
        answer = _error(400, "unknown_kind", _("This kind of action is not known."),
                        {"kind": str(kind)[:32]})
    elif not isinstance(body, dict):
        answer = _error(400, "invalid_body", _("The action body must be a JSON object."))
    elif handler.schema is not None and (
            problem := edge.schema_problem(body, handler.schema, field="body")) is not None:
        answer = _refused_content(device, key, kind, problem)
    else:
        answer = _run(device, key, kind, body, client_time,
                      is_skewed(client_time, received, offset_ms), held)
    rows.append({"device_id": device.id, "client_key": key,
                 "kind": edge.printable(str(kind))[:32],
                 "body_hash": digest, "client_time": client_time or received,
                 "received_at": received, "status": answer["status"], "response": answer})
    answered[key] = (digest, answer)  # the same key twice in one batch: the first answer
    return {"key": key, **answer}


def _refused_content(device: Device, key: str, kind, problem: DomainError) -> dict:
    """An action refused for what it holds: answered 400 with the field, and audited as any
    refusal; the kiosk marks it refused and does not send it again."""
    kind = edge.printable(str(kind))[:32]
    audit.record("kiosk.action_refused", device, actor=f"kiosk {device.id}", key=key,
                 kind=kind, code=problem.code, details={"field": problem.field})
    return _error(problem.status, problem.code, str(problem.message),
                  {"field": problem.field})


def is_skewed(client_time: datetime, received: datetime, offset_ms: int) -> bool:
    offset = timedelta(milliseconds=offset_ms)
    return abs(offset) > SKEW_LIMIT or client_time - offset > received + SKEW_LIMIT


def _run(device, key, kind, body, client_time, skewed: bool, held) -> dict:
    handler = HANDLERS[kind]
    extra = {"held": held} if handler.with_device is not None else {}
    try:
        if handler.refuses_before_writing:
            result = _unguarded(kind, handler.run, device, body, client_time, skewed, extra)
        else:
            try:
                with db.session.begin_nested():  # a refusal undoes what the action wrote
                    result = handler.run(device, body, client_time, skewed, **extra)
            except exc.DataError as error:
                # A value the database cannot hold that no schema caught: this action's
                # content, refused on its own (its savepoint is gone), never the batch.
                raise ValidationError(_l("The action holds a value that cannot be stored."),
                                      "invalid_value") from error
    except DomainError as error:
        # The refusal itself is kept (with the action and in the audit log), never dropped.
        audit.record("kiosk.action_refused", device, actor=f"kiosk {device.id}", key=key,
                     kind=kind, code=error.code, details=error.details)
        return _error(error.status, error.code, str(error.message), error.details)
    return {"status": 200, "result": result}


def _unguarded(kind, run: Handler, device, body, client_time, skewed, extra) -> dict:
    counter = [0]
    token = _writes.set(counter)
    try:
        return run(device, body, client_time, skewed, **extra)
    except DomainError as error:
        if counter[0]:
            raise WroteBeforeRefusing(f"{kind} wrote {counter[0]} statement(s), then refused "
                                      f"with {error.code}") from error
        raise
    finally:
        _writes.reset(token)
