"""The four ways in: kiosk card read, phone presence scan, phone poster scan (admin: operations)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

import qr
from qr.presence import check_presence, parse_presence

from ..codes import operations as codes
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.i18n import _l
from ..core.timeutil import utcnow
from ..devices.models import Device
from ..devices.operations import Kiosk
from ..extensions import db
from ..volunteers.models import Volunteer
from . import operations as ops
from .models import PresenceUse


class PresenceRefused(DomainError):
    """A presence code that cannot sign anyone in: stale, reused, forged or not a kiosk's."""


PRESENCE_MESSAGES = {
    "presence_stale": (410, _l("This code on the kiosk screen has already changed. Please scan "
                               "the screen again.")),
    "presence_reused": (409, _l("You already used this code. Please scan the screen again "
                                "when it changes.")),
    "presence_invalid": (400, _l("This is not a valid kiosk code. Please scan the code on the "
                                 "kiosk screen.")),
    "presence_kiosk_revoked": (403, _l("This kiosk has been taken out of service. Please tell "
                                       "the station staff.")),
}


def refuse(code: str) -> PresenceRefused:
    status, message = PRESENCE_MESSAGES[code]
    return PresenceRefused(message, code, status=status)


def _read_card(text, source: str, held: ops.CardRead | None = None
               ) -> tuple[ops.Signer, ops.ShiftState]:
    """The volunteer a scanned card names, locked, with their open and last ended shifts.
    `held`: what sign_with_device read together with the kiosk."""
    if _card_text(text) is None:
        raise ValidationError(_l("Scan the volunteer code."), "invalid_code", field="code")
    if held is not None and held.text == text:
        return ops.locked_card(held.volunteer)
    checked = codes.checked_code(text, "volunteer")
    card = ops.read_card(checked) if checked is not None else None
    if card is not None:
        return card  # the common case: one query
    # Something is off (a refused code, an unknown number, a key not yet cached): decided
    # step by step, each refusal with its own answer. The kiosk's action log and audit entry
    # record a refusal, so nothing is written before it (sign is registered that way).
    number = codes.resolve(text, expected_type="volunteer", source=source,
                           audit_refusal=False).subject
    volunteer = ops.lock_volunteer_numbered(number)
    if volunteer is None:
        raise NotFound(_l("No volunteer has this code."), "volunteer_not_found", field="code")
    return volunteer, ops.open_and_last_ended(volunteer)


def sign_with_device(secret: str, body: dict) -> tuple[Kiosk, ops.CardRead] | None:
    """An upload of one card read: the kiosk and the card's volunteer in one statement; None
    when the card is not plainly live, for the usual way."""
    text = _card_text(body.get("code"))
    checked = codes.checked_code(text, "volunteer") if text is not None else None
    return ops.kiosk_and_card(secret, text, checked) if checked is not None else None


def prepare_sign(body: dict) -> None:
    """The card's signature, checked before the request's transaction (remembered by codes
    for _read_card): on SQLite, outside the one writer's turn."""
    text = _card_text(body.get("code"))
    if text is not None:
        codes.checked_code(text, "volunteer")


def _card_text(value) -> str | None:
    """What a kiosk scanned, if it can be a code at all."""
    return value if isinstance(value, str) and 0 < len(value) <= 2000 else None


def result_out(result: ops.SignResult) -> dict:
    return {"action": result.action, "shift_id": result.shift_id, "site_id": result.site_id,
            "volunteer": {"number": result.volunteer.number,
                          "name": result.volunteer.masked_name},
            "at": result.at.isoformat(), "flags": list(result.flags),
            "closed_elsewhere": result.closed_elsewhere,
            "credited_minutes": result.credited_minutes,
            "started_at": result.started_at.isoformat() if result.started_at else None}


def sign_action(device, body: dict, client_time: datetime, clock_skewed: bool,
                held: ops.CardRead | None = None) -> dict:
    """The kiosk's `sign` action: body {"code": scanned text, "direction"?: "in" | "out"}.
    `held`: the card read with the kiosk (sign_with_device), when the upload had one action."""
    direction = body.get("direction")
    if direction not in (None, "in", "out"):
        raise ValidationError(_l("direction must be in or out."), "invalid_direction",
                              field="direction")
    volunteer, state = _read_card(body.get("code"), f"kiosk {device.id}", held)
    result = ops.sign_locked(volunteer, device.site, client_time, method="kiosk",
                             verified=True, device=device, direction=direction,
                             flags=("clock_skew",) if clock_skewed else (), state=state)
    return result_out(result)


def sign_by_presence(volunteer: Volunteer, text: str, *, now: datetime | None = None):
    """The phone scanned a kiosk's rotating code: verified presence, by SERVER time."""
    from ..devices.operations import presence_secret

    now = now or utcnow()
    try:
        device_id, step, mac = parse_presence(text, current_app.config["BASE_URL"])
    except qr.CodeError:
        raise refuse("presence_invalid") from None
    device = db.session.get(Device, device_id)
    if device is None:
        raise refuse("presence_invalid")
    try:
        check_presence(presence_secret(device), device_id, step, mac, now=now.timestamp())
    except qr.CodeError as error:
        raise refuse("presence_stale" if error.reason == "expired" else "presence_invalid") \
            from None
    if device.revoked_at is not None:
        raise refuse("presence_kiosk_revoked")
    volunteer = ops.lock_volunteer(volunteer)  # serialises this volunteer's scans
    used = db.session.scalar(select(PresenceUse.id).where(
        PresenceUse.device_id == device.id, PresenceUse.step == step,
        PresenceUse.volunteer_id == volunteer.id))
    if used is not None:
        raise refuse("presence_reused")
    db.session.add(PresenceUse(device_id=device.id, step=step, volunteer_id=volunteer.id,
                               used_at=now))
    db.session.flush()
    return ops.sign(volunteer, device.site, now, method="presence", verified=True,
                    device=device)


def sign_by_poster(volunteer: Volunteer, token: str, *, now: datetime | None = None):
    """The phone scanned the static poster: recorded, unverified, for an admin to approve."""
    code = codes.resolve(token, expected_type="point", source="phone")
    if code.site is None or not code.site.is_active:
        raise codes.CodeRejected("wrong_type")
    return ops.sign(volunteer, code.site, now or utcnow(), method="poster", verified=False)
