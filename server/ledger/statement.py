"""A volunteer's statement: every entry with its source, and hours and points by month."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import or_, select

from ..core.i18n import _, _l
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..extensions import db
from ..shifts.models import Shift
from ..volunteers.models import Volunteer
from .models import Account, Transfer

SOURCE_LABELS = {"shift": _l("Service hours"), "order": _l("Service order"),
                 "redemption": _l("Redemption"), "adjustment": _l("Adjustment"),
                 "reversal": _l("Reversal")}
SERVICE_SOURCES = ("shift", "order")
# The system accounts by code, in words (the code stays in a tooltip for support).
ACCOUNT_LABELS = {"hours_issuance": _l("Time bank (points issued)"),
                  "redemption": _l("Time bank (points spent)")}


def source_text(transfer: Transfer) -> str:
    """What a ledger entry refers to, for people: the shift's or entry's number, the order's
    number; an adjustment's key is for machines (its reason is the memo)."""
    kind, ref = transfer.source_type, transfer.source_id
    if kind == "shift":
        return _("shift no. %(id)s", id=ref)
    if kind == "order":
        return transfer.memo or ""
    if kind == "reversal":
        return _("of entry #%(id)s", id=ref)
    if kind == "redemption":
        return _("redemption no. %(id)s", id=ref)
    return ""


def account_text(account) -> str:
    return str(ACCOUNT_LABELS.get(account.code, account.code or ""))


@dataclass
class Entry:
    transfer: Transfer
    points: int  # signed, as the volunteer sees it
    minutes: int  # signed service minutes (credits add, their reversals subtract)
    at: datetime
    place: str
    is_reversed: bool = False
    service: str = ""  # what was done, when known (a service order's menu item)

    @property
    def label(self):
        return SOURCE_LABELS[self.transfer.source_type]


@dataclass
class Month:
    month: str  # "2026-11"
    minutes: int = 0
    earned: int = 0
    spent: int = 0


@dataclass
class Statement:
    volunteer: Volunteer
    entries: list[Entry] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)

    @property
    def balance(self) -> int:
        return sum(e.points for e in self.entries)

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.entries)

    @property
    def services(self) -> list[Entry]:
        """Service records that still count: credits for service, not reversed."""
        return [e for e in self.entries
                if e.transfer.source_type in SERVICE_SOURCES and not e.is_reversed]

    def years(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = {}
        for month in self.months:
            totals[month.month[:4]] = totals.get(month.month[:4], 0) + month.minutes
        return sorted(totals.items())


def statement(volunteer: Volunteer) -> Statement:
    result = Statement(volunteer)
    account_id = db.session.scalar(select(Account.id).where(Account.volunteer_id == volunteer.id))
    if account_id is None:
        return result
    transfers = list(db.session.scalars(
        select(Transfer).where(or_(Transfer.debit_account_id == account_id,
                                   Transfer.credit_account_id == account_id))
        .order_by(Transfer.created_at, Transfer.id)))
    reversed_ids = {t.reverses_transfer_id for t in transfers if t.reverses_transfer_id}
    by_id = {t.id: t for t in transfers}
    shift_ids = [int(t.source_id) for t in transfers if t.source_type == "shift"]
    shifts = {s.id: s for s in db.session.scalars(select(Shift).where(Shift.id.in_(shift_ids)))}
    orders = _services_of([int(t.source_id) for t in transfers if t.source_type == "order"])
    months: dict[str, Month] = {}
    for t in transfers:
        sign = 1 if t.credit_account_id == account_id else -1
        undone = by_id.get(t.reverses_transfer_id) if t.reverses_transfer_id else None
        service = t.source_type in SERVICE_SOURCES or (
            undone is not None and undone.source_type in SERVICE_SOURCES)
        minutes = sign * t.minutes if service else 0
        shift = shifts.get(int(t.source_id)) if t.source_type == "shift" else None
        at = as_utc(shift.started_at if shift else t.created_at)
        if shift is not None:
            place, service = shift.site.name, ""
        elif t.source_type == "order":  # its memo is the order's number, not a place
            place, service = orders.get(int(t.source_id), ("", ""))
        else:
            place, service = t.memo, ""
        entry = Entry(t, sign * t.amount, minutes, at, place, t.id in reversed_ids, service)
        result.entries.append(entry)
        key = at.astimezone(LOCAL_TZ).strftime("%Y-%m")
        month = months.setdefault(key, Month(key))
        month.minutes += minutes
        if entry.points > 0:
            month.earned += entry.points
        else:
            month.spent -= entry.points
    result.months = [months[k] for k in sorted(months)]
    return result


def _services_of(order_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Where and what each service order was, when the orders feature is there to say."""
    try:
        from ..orders.operations import services_of
    except ImportError:
        return {}
    return services_of(order_ids)


# ---- certificate numbers: checkable without storing anything ---------------------------------


def _mac(body: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"certificate:" + body.encode(), hashlib.sha256).hexdigest()[:8].upper()


def certificate_number(volunteer: Volunteer, minutes: int, issued: date | None = None) -> str:
    """ZM-<volunteer id>-<issue date>-<minutes>-<MAC>: the issuer can check it was not altered."""
    issued = issued or utcnow().astimezone(LOCAL_TZ).date()
    body = f"{volunteer.id}-{issued:%Y%m%d}-{minutes}"
    return f"ZM-{body}-{_mac(body)}"


def check_certificate_number(number: str) -> tuple[Volunteer, date, int] | None:
    """The volunteer, issue date and minutes a genuine number states; None if forged."""
    parts = (number or "").strip().upper().split("-")
    if len(parts) != 5 or parts[0] != "ZM" or not all(p.isdigit() for p in parts[1:4]):
        return None
    body = "-".join(parts[1:4])
    if not hmac.compare_digest(_mac(body), parts[4]):
        return None
    volunteer = db.session.get(Volunteer, int(parts[1]))
    try:
        issued = datetime.strptime(parts[2], "%Y%m%d").date()
    except ValueError:
        return None
    return (volunteer, issued, int(parts[3])) if volunteer is not None else None
