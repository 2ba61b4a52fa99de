"""Shift rules, one set for kiosk, presence code, poster and admin entry. They flush only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..codes.operations import LIVE_CODE
from ..core import audit
from ..core.errors import Conflict, Forbidden, ValidationError
from ..core.hot import Hot, adopt, adopt_values, columns_of
from ..core.i18n import _l
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..devices.models import Device
from ..devices.operations import (
    KIOSK_BY_SECRET,
    KIOSK_WIDTH,
    device_from_row,
    hash_secret,
    kiosk_row,
)
from ..extensions import db
from ..ledger import operations as ledger
from ..sites.models import Site
from ..volunteers.models import Volunteer
from . import policy as hours
from .models import Shift

DEBOUNCE = timedelta(seconds=60)
REASON_MAX = 200
# Flags that hold a shift's hours back until an admin approves them.
REVIEW_FLAGS = {"unverified", "clock_skew", "moved", "auto_closed"}


# The kiosk's sign path runs these on every card read: built once, values bound at execution.
_LOCK_NUMBERED = select(Volunteer).where(Volunteer.number == bindparam("number")) \
    .with_for_update()
# Each found through an index, so a sign reads two rows however long the volunteer's record:
# the open shift by the partial unique index of open shifts, the last ended one by the
# (volunteer, started_at) index read backwards. A volunteer's shifts never overlap (a sign-in
# older than the last end is refused, an admin entry that overlaps too), so the closed shift
# that started last is the one that ended last.
_OPEN_ID = select(Shift.id).where(Shift.volunteer_id == bindparam("volunteer_id"),
                                  Shift.ended_at.is_(None)).scalar_subquery()
_LAST_ENDED_ID = (select(Shift.id).where(Shift.volunteer_id == bindparam("volunteer_id"),
                                         Shift.ended_at.is_not(None))
                  .order_by(Shift.started_at.desc()).limit(1).scalar_subquery())
_OPEN_AND_LAST_ENDED = Hot(select(*columns_of(Shift)).where(
    Shift.id.in_([_OPEN_ID, _LAST_ENDED_ID])).with_for_update())

# A kiosk's card read: the volunteer a live card names, locked, in one query. The shifts are
# read by a second statement after the lock is held: on PostgreSQL a statement that waited for
# a row lock re-reads only that row, so shifts joined into it could miss a concurrent sign-in.
_CARD_READ = Hot(select(*columns_of(Volunteer))
                 .where(Volunteer.number == bindparam("number"), LIVE_CODE).with_for_update())

_kiosk_and_card = KIOSK_BY_SECRET.add_columns(*columns_of(Volunteer)) \
    .join(Volunteer, (Volunteer.number == bindparam("number")) & LIVE_CODE)
_KIOSK_AND_CARD = Hot(_kiosk_and_card)
# Row locks are taken in FROM order: the kiosk, then the volunteer (NO KEY UPDATE: it still
# excludes every other lock of a volunteer's shifts, FOR UPDATE included).
_KIOSK_AND_CARD_LOCKED = Hot(_kiosk_and_card.with_for_update(
    of=[Device.__table__, Volunteer.__table__], key_share=True))

_INSERT_SHIFT = Hot(insert(Shift.__table__).returning(Shift.__table__.c.id))
_UPDATE_SHIFT = Hot(update(Shift.__table__).where(Shift.__table__.c.id == bindparam("shift_id")))

_credited_that_day = select(func.coalesce(func.sum(Shift.credited_minutes), 0).label("used")) \
    .where(Shift.volunteer_id == bindparam("volunteer_id"), Shift.id != bindparam("shift_id"),
           Shift.review != "rejected", Shift.started_at >= bindparam("day_start"),
           Shift.started_at < bindparam("day_end")).subquery()
# Everything closing a shift reads, in one statement (a sign-out is the busiest write after a
# sign-in): minutes credited that day, the policies of the site's chain, and what a credit
# needs. One row per policy × account found (a handful at most); one row when there are none.
_CLOSING = Hot(select(_credited_that_day.c.used, *hours.POLICY_COLUMNS, *ledger.CREDIT_COLUMNS)
               .select_from(_credited_that_day
                            .outerjoin(hours.POLICY_TABLE, hours.POLICY_TABLE.c.site_id.in_(
                                bindparam("ids", expanding=True)))
                            .outerjoin(ledger.CREDIT_ACCOUNTS, ledger.CREDIT_ACCOUNTS_ON)))
_POLICY_END = 1 + len(hours.POLICY_COLUMNS)


class ShiftRefused(Conflict):
    """A sign-in or sign-out the rules do not allow; `code` says which rule."""


@dataclass
class SignResult:
    action: str  # "in", "out" or "noop"
    shift: Shift
    closed_elsewhere: Shift | None = None


def lock_volunteer(volunteer: Volunteer) -> Volunteer:
    """Every change to a volunteer's shifts starts here, so two ways in cannot race."""
    return _active(db.session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer.id).with_for_update()))


def lock_volunteer_numbered(number: str) -> Volunteer | None:
    """lock_volunteer for the volunteer with this number (a scanned card), in one query;
    None when nobody has it."""
    volunteer = db.session.scalar(_LOCK_NUMBERED, {"number": number})
    return None if volunteer is None else _active(volunteer)


def _active(volunteer: Volunteer) -> Volunteer:
    if not volunteer.is_active:
        raise Forbidden(_l("This volunteer is not active. Please ask the station staff."),
                        "volunteer_inactive")
    return volunteer


ShiftState = tuple[Shift | None, Shift | None]  # (the open shift, the one that ended last)


def open_and_last_ended(volunteer: Volunteer) -> ShiftState:
    """The open shift and the shift that ended last, locked, in one query."""
    current = last = None
    for row in _OPEN_AND_LAST_ENDED.rows({"volunteer_id": volunteer.id}):
        shift = adopt(Shift, row)
        if shift.ended_at is None:
            current = shift
        else:
            last = shift
    return current, last


def kiosk_and_card(secret: str, number: str, code_params: dict):
    """devices.operations.device_for_secret(lock=True) and read_card()'s volunteer in one
    statement: (kiosk, volunteer) or None when either is not there (the caller then takes the
    usual way). Locked in that order, kiosk first, as the usual way takes them; on SQLite read
    before the write transaction, like the kiosk alone (writers run one at a time there)."""
    row = kiosk_row(_KIOSK_AND_CARD, _KIOSK_AND_CARD_LOCKED,
                    {"secret_hash": hash_secret(secret), "number": number, **code_params})
    if row is None:
        return None
    return device_from_row(row), adopt(Volunteer, row[KIOSK_WIDTH:])


def locked_card(volunteer: Volunteer) -> tuple[Volunteer, ShiftState]:
    """read_card() for a volunteer already read and locked (by it, or kiosk_and_card())."""
    volunteer = _active(volunteer)
    return volunteer, open_and_last_ended(volunteer)


def read_card(number: str, code_params: dict) -> tuple[Volunteer, ShiftState] | None:
    """The checks of a scanned card's code (codes.LIVE_CODE) and lock_volunteer_numbered in
    one query, then open_and_last_ended. None when the code is not live or nobody has the
    number; the caller finds out which the slow way."""
    row = _CARD_READ.first({"number": number, **code_params})
    return None if row is None else locked_card(adopt(Volunteer, row))


def _last_closed_here(volunteer: Volunteer, site: Site) -> Shift | None:
    return db.session.scalar(select(Shift).where(
        Shift.volunteer_id == volunteer.id, Shift.site_id == site.id,
        Shift.ended_at.is_not(None)).order_by(Shift.ended_at.desc()).limit(1))


def sign(volunteer: Volunteer, site: Site, at: datetime, *, method: str, verified: bool,
         device=None, direction: str | None = None, flags=(), actor=None) -> SignResult:
    """A read of the volunteer at `site` at `at`: sign in, sign out, or nothing (debounce)."""
    return sign_locked(lock_volunteer(volunteer), site, at, method=method, verified=verified,
                       device=device, direction=direction, flags=flags, actor=actor)


def sign_locked(volunteer: Volunteer, site: Site, at: datetime, *, method: str,
                verified: bool, device=None, direction: str | None = None, flags=(),
                actor=None, state: ShiftState | None = None) -> SignResult:
    """sign() for a volunteer the caller has just locked (lock_volunteer*, read_card, which
    also gives the `state`)."""
    at = as_utc(at)
    current, last_ended = state if state is not None else open_and_last_ended(volunteer)
    if current is not None and current.site_id == site.id:
        started = as_utc(current.started_at)
        if abs(at - started) < DEBOUNCE:
            return SignResult("noop", current)  # the same card read twice is not a sign-out
        if direction == "in":
            raise ShiftRefused(_l("You are already signed in here."), "already_signed_in")
        if at < started:
            raise ShiftRefused(_l("This sign-out is older than the sign-in it would close."),
                               "out_of_order")
        close(current, at, method=method, verified=verified, device=device, flags=flags)
        return SignResult("out", current)
    if current is None:
        last = last_ended if last_ended is None or last_ended.site_id == site.id \
            else _last_closed_here(volunteer, site)
        if last is not None and abs(at - as_utc(last.ended_at)) < DEBOUNCE:
            return SignResult("noop", last)
        if direction == "out":
            raise ShiftRefused(_l("You are not signed in, so you cannot sign out."),
                               "no_open_shift")
        if last_ended is not None and at < as_utc(last_ended.ended_at):
            raise ShiftRefused(_l("This sign-in is older than a shift already recorded."),
                               "out_of_order")
        return SignResult("in", _start(volunteer, site, at, method, verified, device, flags))
    # Open at another site: a volunteer cannot be in two places, so the old shift ends now
    # (flagged "moved" for review) rather than refusing the sign-in of someone who forgot.
    if at < as_utc(current.started_at):
        raise ShiftRefused(_l("This sign-in is older than the open shift elsewhere."),
                           "out_of_order")
    close(current, at, method=method, verified=False, device=None, flags=("moved",))
    if direction == "out":
        return SignResult("out", current)
    shift = _start(volunteer, site, at, method, verified, device, flags)
    return SignResult("in", shift, closed_elsewhere=current)


def _start(volunteer, site, at, method, verified, device, flags) -> Shift:
    flags = list(dict.fromkeys([*flags, *([] if verified else ["unverified"])]))
    values = {"volunteer_id": volunteer.id, "site_id": site.id, "started_at": at,
              "start_method": method, "start_device_id": getattr(device, "id", None),
              "is_verified": verified, "flags": flags, "review": "none", "review_reason": "",
              "note": "", "created_at": utcnow()}
    # A plain INSERT (the sign path's hottest write); the object joins the session as loaded.
    return adopt_values(Shift, {"id": _INSERT_SHIFT.scalar(values), "ended_at": None,
                                "end_method": None, "end_device_id": None,
                                "credited_minutes": None, "reviewed_by_user_id": None, **values})


def close(shift: Shift, at: datetime, *, method: str, verified: bool, device=None,
          flags=(), credited: int | None = None) -> Shift:
    """End a shift, count its minutes by the site's policy, and credit it when it may be."""
    db.session.flush()  # the shift and anything pending reach the database before the count
    all_flags = list(dict.fromkeys([*(shift.flags or []), *flags,
                                    *([] if verified else ["unverified"])]))
    values = {"ended_at": at, "end_method": method, "end_device_id": getattr(device, "id", None),
              "flags": all_flags, "is_verified": bool(shift.is_verified and verified),
              "review": "pending" if REVIEW_FLAGS & set(all_flags) else "none"}
    site = shift.site or db.session.get(Site, shift.site_id)
    start = as_utc(shift.started_at).astimezone(LOCAL_TZ)
    day_start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = _CLOSING.rows({"volunteer_id": shift.volunteer_id, "shift_id": shift.id,
                          "day_start": day_start, "day_end": day_start + timedelta(days=1),
                          "ids": hours.chain_ids(site)})
    rules = hours.nearest(site, [row[1:_POLICY_END] for row in rows])
    values["credited_minutes"] = counted_minutes(shift, rules, int(rows[0][0]), credited,
                                                 ended_at=at)
    # One UPDATE statement; the loaded object is kept in step without a flush of its own.
    _UPDATE_SHIFT.rows({"shift_id": shift.id, **values})
    for name, value in values.items():
        set_committed_value(shift, name, value)
    if shift.is_creditable:
        accounts = {row[_POLICY_END:] for row in rows}  # each account once per policy row
        ledger.credit_shift(shift, ledger.credit_context(shift.volunteer, list(accounts)))
    return shift


def counted_minutes(shift: Shift, rules: hours.Policy, used: int, minutes: int | None = None,
                    *, ended_at: datetime) -> int:
    """Rounded to the policy's step (nearest), then held to the daily cap (local day) given
    the minutes already credited that day."""
    if minutes is None:
        seconds = (as_utc(ended_at) - as_utc(shift.started_at)).total_seconds()
        step = rules.rounding_minutes
        minutes = int((seconds / 60 + step / 2) // step) * step
    return max(0, min(minutes, rules.daily_cap_minutes - used))


def credit(shift: Shift) -> None:
    if shift.is_creditable:
        ledger.credit_shift(shift)


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_l("Please give a reason."), "reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_l("The reason is too long (at most %(n)d characters).",
                                 n=REASON_MAX), "too_long", field="reason")
    return reason


def _locked_shift(shift: Shift) -> Shift:
    return db.session.scalar(select(Shift).where(Shift.id == shift.id).with_for_update())


def review(shift: Shift, approve: bool, reason: str, *, actor) -> Shift:
    """An admin decides on a pending shift; approval credits it."""
    reason = _reason(reason)
    shift = _locked_shift(shift)
    if shift.ended_at is None:
        raise ShiftRefused(_l("This shift is still open; decide after it ends."), "shift_open")
    if shift.review != "pending":
        raise ShiftRefused(_l("This shift is not waiting for review."), "not_pending")
    shift.review = "approved" if approve else "rejected"
    shift.review_reason = reason
    shift.reviewed_by_user_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("shift.approve" if approve else "shift.reject", shift, actor=actor,
                 reason=reason)
    credit(shift)
    return shift


def admin_entry(volunteer: Volunteer, site: Site, started_at: datetime,
                ended_at: datetime | None, reason: str, *, actor) -> Shift:
    """An admin records a shift (or opens one) with a reason; it is audited and flagged."""
    reason = _reason(reason)
    started_at = as_utc(started_at)
    ended_at = as_utc(ended_at) if ended_at is not None else None
    now = utcnow()
    if started_at > now or (ended_at is not None and ended_at > now):
        raise ValidationError(_l("A shift cannot be in the future."), "in_future",
                              field="started_at")
    if ended_at is not None and ended_at <= started_at:
        raise ValidationError(_l("The end must be after the start."), "ends_before_start",
                              field="ended_at")
    volunteer = lock_volunteer(volunteer)
    overlap = db.session.scalar(select(Shift.id).where(
        Shift.volunteer_id == volunteer.id,
        Shift.started_at < (ended_at or now + timedelta(days=3650)),
        or_(Shift.ended_at.is_(None), Shift.ended_at > started_at)).limit(1))
    if overlap is not None:
        raise ShiftRefused(_l("This overlaps a shift already recorded for this volunteer."),
                           "overlap")
    shift = Shift(volunteer_id=volunteer.id, site_id=site.id, started_at=started_at,
                  start_method="admin", is_verified=False, flags=["admin_entry"],
                  review="none", note=reason)
    db.session.add(shift)
    db.session.flush()
    if ended_at is not None:
        close(shift, ended_at, method="admin", verified=False)
        shift.flags = [f for f in shift.flags if f != "unverified"]
        shift.review = "none"
        credit(shift)
    audit.record("shift.admin_entry", shift, actor=actor, reason=reason)
    return shift


def close_forgotten(now: datetime | None = None) -> int:
    """Close shifts open longer than their site's maximum; credited per policy, for review."""
    now = now or utcnow()
    closed = 0
    candidates = db.session.execute(select(Shift.id, Shift.volunteer_id).where(
        Shift.ended_at.is_(None), Shift.started_at < now - timedelta(minutes=1))).all()
    for shift_id, volunteer_id in candidates:
        # The volunteer's lock first, as sign() takes it: a sign waits for this close to
        # commit and then sees it whole (an inactive volunteer's shift is closed all the same).
        db.session.execute(select(Volunteer.id).where(Volunteer.id == volunteer_id)
                           .with_for_update())
        shift = db.session.scalar(select(Shift).where(
            Shift.id == shift_id, Shift.ended_at.is_(None)).with_for_update())
        if shift is None:
            continue
        policy = hours.policy_for(shift.site)
        limit = as_utc(shift.started_at) + timedelta(minutes=policy.max_shift_minutes)
        if limit > now:
            continue
        close(shift, limit, method="rule", verified=bool(shift.is_verified),
              flags=("auto_closed",), credited=policy.forgotten_credit_minutes)
        audit.record("shift.auto_close", shift, actor="rule",
                     credited=shift.credited_minutes)
        closed += 1
    return closed
