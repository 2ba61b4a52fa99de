"""Shift rules, one set for kiosk, presence code, poster and admin entry. They flush only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from qr import contract

from ..codes.operations import CheckedCode, live_code_exists
from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import Conflict, Forbidden, ValidationError
from ..core.fields import clean_reason
from ..core.i18n import _l
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..devices.operations import Kiosk, device_for_secret_with
from ..extensions import db
from ..ledger import operations as ledger
from ..sites.models import Site
from ..volunteers.models import Volunteer, mask_name
from . import policy as hours
from .models import Shift

DEBOUNCE = timedelta(seconds=contract.DEBOUNCE_SECONDS)  # the kiosk debounces alike
REASON_MAX = 200
# Flags that hold a shift's hours back until an admin approves them.
REVIEW_FLAGS = {"unverified", "clock_skew", "moved", "auto_closed"}


# The kiosk's sign path runs these on every card read (Core statements, built once, values
# bound at execution): a sign reads and writes rows, not ORM objects.
_shifts, _volunteers = Shift.__table__, Volunteer.__table__
_SIGNER_COLUMNS = (_volunteers.c.id, _volunteers.c.number, _volunteers.c.name,
                   _volunteers.c.is_active)
_LOCK_NUMBERED = select(*_SIGNER_COLUMNS).where(_volunteers.c.number == bindparam("number")) \
    .with_for_update()
_LOCK_BY_ID = select(*_SIGNER_COLUMNS).where(_volunteers.c.id == bindparam("volunteer_id")) \
    .with_for_update()
# Each found through an index, so a sign reads two rows however long the volunteer's record:
# the open shift by the partial unique index of open shifts, the last ended one by the
# (volunteer, started_at) index read backwards. A volunteer's shifts never overlap (a sign-in
# older than the last end is refused, an admin entry that overlaps too), so the closed shift
# that started last is the one that ended last.
_OPEN_ID = select(_shifts.c.id).where(_shifts.c.volunteer_id == bindparam("volunteer_id"),
                                      _shifts.c.ended_at.is_(None)).scalar_subquery()
_LAST_ENDED_ID = (select(_shifts.c.id).where(_shifts.c.volunteer_id == bindparam("volunteer_id"),
                                             _shifts.c.ended_at.is_not(None))
                  .order_by(_shifts.c.started_at.desc()).limit(1).scalar_subquery())
# What the rules ask of a shift they read (fewer columns: a cheaper result on every sign).
_STATE_COLUMNS = tuple(_shifts.c[name] for name in (
    "id", "volunteer_id", "site_id", "started_at", "ended_at", "flags", "is_verified",
    "credited_minutes"))
_OPEN_AND_LAST_ENDED = select(*_STATE_COLUMNS) \
    .where(_shifts.c.id.in_([_OPEN_ID, _LAST_ENDED_ID])).with_for_update()
_LAST_CLOSED_HERE = (select(*_STATE_COLUMNS)
                     .where(_shifts.c.volunteer_id == bindparam("volunteer_id"),
                            _shifts.c.site_id == bindparam("site_id"),
                            _shifts.c.ended_at.is_not(None))
                     .order_by(_shifts.c.ended_at.desc()).limit(1))

# A kiosk's card read: the volunteer a live card names (codes.live_code_exists), locked, in
# one query. The shifts are read by a second statement after the lock is held: on PostgreSQL
# a statement that waited for a row lock re-reads only that row, so shifts joined into it
# could miss a concurrent sign-in.
_LIVE_CARD = (_volunteers.c.number == bindparam("number")) \
    & live_code_exists(_volunteers.c.number)
_CARD_READ = select(*_SIGNER_COLUMNS).where(_LIVE_CARD).with_for_update()

_INSERT_SHIFT = insert(_shifts).returning(_shifts.c.id)
_credited_that_day = (select(func.coalesce(func.sum(_shifts.c.credited_minutes), 0)
                             .label("used"))
                      .where(_shifts.c.volunteer_id == bindparam("volunteer_id"),
                             _shifts.c.id != bindparam("shift_id"),
                             _shifts.c.review != "rejected",
                             _shifts.c.started_at >= bindparam("day_start"),
                             _shifts.c.started_at < bindparam("day_end")).subquery())
# What closing a shift reads, in one statement: the minutes credited that day and the
# policies of the site's chain (one row per policy found; one row when there is none).
_CLOSING = (select(_credited_that_day.c.used, *hours.POLICY_COLUMNS)
            .select_from(_credited_that_day.outerjoin(
                hours.POLICY_TABLE,
                hours.POLICY_TABLE.c.site_id.in_(bindparam("ids", expanding=True)))))
_UPDATE_SHIFT = update(_shifts).where(_shifts.c.id == bindparam("shift_id"))


class ShiftRefused(Conflict):
    """A sign-in or sign-out the rules do not allow; `code` says which rule."""


@dataclass(frozen=True, slots=True)
class Signer:
    """A volunteer as a sign reads them (their row, locked): what the rules and the answer
    need, with Volunteer's names."""

    id: int
    number: str
    masked_name: str
    is_active: bool


def _signer(row) -> Signer:
    return Signer(row.id, row.number, mask_name(row.name), bool(row.is_active))


@dataclass(frozen=True, slots=True)
class SignResult:
    """What a read did: `action` "in", "out" or "noop" (a repeat within the debounce, shown
    as the previous result); the shift it started, ended or repeated; when (its start, or
    its end for "out"); a shift closed elsewhere by a sign-in here."""

    action: str
    shift_id: int
    site_id: int
    at: datetime
    flags: list
    volunteer: Signer
    closed_elsewhere: int | None = None
    credited_minutes: int | None = None  # of a sign-out
    # When the shift began, for "out" and "noop": the kiosk says how long the service was
    # even when the shift began elsewhere (another kiosk, the phone, the poster).
    started_at: datetime | None = None


ShiftState = tuple  # (the open shift, the one that ended last): shift rows, or None


def lock_volunteer(volunteer) -> Signer:
    """Every change to a volunteer's shifts starts here, so two ways in cannot race."""
    return _active(_signer(db.session.connection().execute(
        _LOCK_BY_ID, {"volunteer_id": volunteer.id}).one()))


def lock_volunteer_numbered(number: str) -> Signer | None:
    """lock_volunteer for the volunteer with this number (a scanned card), in one query;
    None when nobody has it."""
    row = db.session.connection().execute(_LOCK_NUMBERED, {"number": number}).first()
    return None if row is None else _active(_signer(row))


def _active(volunteer: Signer) -> Signer:
    if not volunteer.is_active:
        raise Forbidden(_l("This volunteer is not active. Please ask the station staff."),
                        "volunteer_inactive")
    return volunteer


def open_at_site(site_id: int, limit: int = contract.ON_SHIFT_MAX) -> list[dict]:
    """Who is signed in at this site now, and since when (UTC): whichever way they signed in.
    A kiosk keeps it so that a card read there signs out, with the service's length, a
    volunteer who signed in on another kiosk, the phone or the poster."""
    rows = db.session.execute(
        select(Volunteer.number, Shift.started_at)
        .join(Volunteer, Volunteer.id == Shift.volunteer_id)
        .where(Shift.site_id == site_id, Shift.ended_at.is_(None))
        .order_by(Shift.started_at.desc()).limit(limit))
    return [{"number": number, "started_at": as_utc(started).isoformat()}
            for number, started in rows]


def open_and_last_ended(volunteer: Signer) -> ShiftState:
    """The open shift and the shift that ended last, locked, in one query (rows)."""
    current = last = None
    for row in db.session.connection().execute(_OPEN_AND_LAST_ENDED,
                                               {"volunteer_id": volunteer.id}):
        if row.ended_at is None:
            current = row
        else:
            last = row
    return current, last


@dataclass(frozen=True, slots=True)
class CardRead:
    """What a kiosk's card read found with the kiosk (devices.actions with_device): the text
    scanned and the volunteer it names, locked; handed explicitly to the sign action."""

    text: str
    volunteer: Signer


def kiosk_and_card(secret: str, text: str, card: CheckedCode) -> tuple[Kiosk, CardRead] | None:
    """The kiosk (devices.operations.device_for_secret(lock=True)) and read_card()'s
    volunteer in one statement, kiosk locked first as every kiosk write takes them; None
    when either is not there (the caller then takes the usual way)."""
    found = device_for_secret_with(secret, _volunteers, _LIVE_CARD,
                                   {"number": card.subject, **card.params})
    if found is None:
        return None
    kiosk, row = found
    volunteer = Signer(row["id"], row["number"], mask_name(row["name"]), bool(row["is_active"]))
    return kiosk, CardRead(text, volunteer)


def locked_card(volunteer: Signer) -> tuple[Signer, ShiftState]:
    """read_card() for a volunteer already read and locked (by it, or kiosk_and_card())."""
    volunteer = _active(volunteer)
    return volunteer, open_and_last_ended(volunteer)


def read_card(card: CheckedCode) -> tuple[Signer, ShiftState] | None:
    """The checks of a scanned card's code and lock_volunteer_numbered in one query, then
    open_and_last_ended. None when the code is not live or nobody has the number; the caller
    finds out which the slow way."""
    row = db.session.connection().execute(
        _CARD_READ, {"number": card.subject, **card.params}).first()
    return None if row is None else locked_card(_signer(row))


def sign(volunteer, site, at: datetime, *, method: str, verified: bool, device=None,
         direction: str | None = None, flags=(), actor: Actor = None) -> SignResult:
    """A read of the volunteer at `site` at `at`: sign in, sign out, or nothing (debounce)."""
    return sign_locked(lock_volunteer(volunteer), site, at, method=method, verified=verified,
                       device=device, direction=direction, flags=flags, actor=actor)


def sign_locked(volunteer: Signer, site, at: datetime, *, method: str, verified: bool,
                device=None, direction: str | None = None, flags=(), actor: Actor = None,
                state: ShiftState | None = None) -> SignResult:
    """sign() for a volunteer the caller has just locked (lock_volunteer*, read_card, which
    also gives the `state`). `site`: a Site or SiteRef."""
    at = as_utc(at)
    current, last_ended = state if state is not None else open_and_last_ended(volunteer)

    def repeated(shift, when) -> SignResult:  # a read within the debounce: as it was
        return SignResult("noop", shift.id, shift.site_id, as_utc(when),
                          list(shift.flags or []), volunteer,
                          credited_minutes=shift.credited_minutes,
                          started_at=as_utc(shift.started_at))

    if current is not None and current.site_id == site.id:
        started = as_utc(current.started_at)
        if abs(at - started) < DEBOUNCE:
            return repeated(current, started)  # the same card read twice is not a sign-out
        if direction == "in":
            raise ShiftRefused(_l("You are already signed in here."), "already_signed_in")
        if at < started:
            raise ShiftRefused(_l("This sign-out is older than the sign-in it would close."),
                               "out_of_order")
        closed = close(current, at, method=method, verified=verified, device=device,
                       flags=flags, site=site)
        return SignResult("out", current.id, current.site_id, at, closed["flags"], volunteer,
                          credited_minutes=closed["credited_minutes"],
                          started_at=as_utc(current.started_at))
    if current is None:
        last = last_ended if last_ended is None or last_ended.site_id == site.id \
            else _last_closed_here(volunteer, site)
        if last is not None and abs(at - as_utc(last.ended_at)) < DEBOUNCE:
            return repeated(last, last.started_at)
        if direction == "out":
            raise ShiftRefused(_l("You are not signed in, so you cannot sign out."),
                               "no_open_shift")
        if last_ended is not None and at < as_utc(last_ended.ended_at):
            raise ShiftRefused(_l("This sign-in is older than a shift already recorded."),
                               "out_of_order")
        shift_id, started_flags = _start(volunteer, site, at, method, verified, device, flags)
        return SignResult("in", shift_id, site.id, at, started_flags, volunteer)
    # Open at another site: a volunteer cannot be in two places, so the old shift ends now
    # (flagged "moved" for review) rather than refusing the sign-in of someone who forgot.
    if at < as_utc(current.started_at):
        raise ShiftRefused(_l("This sign-in is older than the open shift elsewhere."),
                           "out_of_order")
    closed = close(current, at, method=method, verified=False, device=None, flags=("moved",),
                   site=db.session.get(Site, current.site_id))
    if direction == "out":
        return SignResult("out", current.id, current.site_id, at, closed["flags"], volunteer,
                          credited_minutes=closed["credited_minutes"],
                          started_at=as_utc(current.started_at))
    shift_id, started_flags = _start(volunteer, site, at, method, verified, device, flags)
    return SignResult("in", shift_id, site.id, at, started_flags, volunteer,
                      closed_elsewhere=current.id)


def _last_closed_here(volunteer: Signer, site):
    return db.session.connection().execute(
        _LAST_CLOSED_HERE, {"volunteer_id": volunteer.id, "site_id": site.id}).first()


def _start(volunteer, site, at, method, verified, device, flags) -> tuple[int, list]:
    """A new open shift, one INSERT … RETURNING its id (the sign path's hottest write)."""
    flags = list(dict.fromkeys([*flags, *([] if verified else ["unverified"])]))
    shift_id = db.session.connection().execute(_INSERT_SHIFT, {
        "volunteer_id": volunteer.id, "site_id": site.id, "started_at": at,
        "start_method": method, "start_device_id": getattr(device, "id", None),
        "is_verified": verified, "flags": flags, "review": "none", "review_reason": "",
        "note": "", "created_at": utcnow()}).scalar_one()
    return shift_id, flags


def close(shift, at: datetime, *, method: str, verified: bool, device=None, flags=(),
          credited: int | None = None, site=None) -> dict:
    """End a shift (a shift row, or a Shift, which is kept in step), count its minutes by the
    policy of its site (`site`, when the caller has it), and credit it when it may be.
    The values written."""
    db.session.flush()  # anything pending reaches the database before the count
    # A shift with a proven start (kiosk, presence code) ended without proof (the poster): only
    # its end is in doubt, so it is flagged for a look but counts; "unverified" holds a shift
    # with no proof at all for approval.
    unproven = "end_unverified" if shift.is_verified else "unverified"
    all_flags = list(dict.fromkeys([*(shift.flags or []), *flags,
                                    *([] if verified else [unproven])]))
    values = {"ended_at": at, "end_method": method, "end_device_id": getattr(device, "id", None),
              "flags": all_flags, "is_verified": bool(shift.is_verified and verified),
              "review": "pending" if REVIEW_FLAGS & set(all_flags) else "none"}
    site = site if site is not None else db.session.get(Site, shift.site_id)
    start = as_utc(shift.started_at).astimezone(LOCAL_TZ)
    day_start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    connection = db.session.connection()
    rows = connection.execute(_CLOSING, {
        "volunteer_id": shift.volunteer_id, "shift_id": shift.id, "day_start": day_start,
        "day_end": day_start + timedelta(days=1), "ids": hours.chain_ids(site)}).all()
    rules = hours.nearest(site, rows)
    minutes = counted_minutes(shift.started_at, rules, int(rows[0].used), credited,
                              ended_at=at)
    values["credited_minutes"] = minutes
    connection.execute(_UPDATE_SHIFT, {"shift_id": shift.id, **values})
    if isinstance(shift, Shift):
        for name, value in values.items():
            set_committed_value(shift, name, value)
    if values["review"] == "none" and minutes:
        ledger.credit_for_shift(shift.id, shift.volunteer_id, minutes, memo=site.name)
    return values


def counted_minutes(started_at: datetime, rules: hours.Policy, used: int,
                    minutes: int | None = None, *, ended_at: datetime) -> int:
    """Rounded to the policy's step (nearest), then held to the daily cap (local day) given
    the minutes already credited that day."""
    if minutes is None:
        seconds = (as_utc(ended_at) - as_utc(started_at)).total_seconds()
        step = rules.rounding_minutes
        minutes = int((seconds / 60 + step / 2) // step) * step
    return max(0, min(minutes, rules.daily_cap_minutes - used))


def credit(shift: Shift, actor="system") -> None:
    if shift.is_creditable:
        ledger.credit_shift(shift, actor=actor)


def _reason(reason: str) -> str:
    return clean_reason(reason, limit=REASON_MAX)


def _locked_shift(shift: Shift) -> Shift:
    return db.session.scalar(select(Shift).where(Shift.id == shift.id).with_for_update())


def review(shift: Shift, approve: bool, reason: str, *, actor) -> Shift:
    """An admin decides on a pending shift; approval credits it. A rejection needs a reason
    (the volunteer is told why); an approval may give one."""
    blank = not " ".join((reason or "").split())
    reason = "" if approve and blank else _reason(reason)
    shift = _locked_shift(shift)
    if shift.ended_at is None:
        raise ShiftRefused(_l("This shift is still open; decide after it ends."), "shift_open")
    if shift.review != "pending":
        raise ShiftRefused(_l("This shift is not waiting for review."), "not_pending")
    shift.review = "approved" if approve else "rejected"
    shift.review_reason = reason
    shift.reviewed_by_user_id = actors.admin_id(actor)
    db.session.flush()
    audit.record("shift.approve" if approve else "shift.reject", shift, actor=actor,
                 reason=reason)
    credit(shift, actor)
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
        credit(shift, actor)
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
