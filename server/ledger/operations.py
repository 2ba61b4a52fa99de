"""Time-bank rules: accounts, credits for hours, reversals, adjustments, balances. They flush."""

from __future__ import annotations

import uuid

from flask import has_request_context
from sqlalchemy import Integer, bindparam, case, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, make_transient_to_detached

from ..core import actors, audit
from ..core.actors import Actor
from ..core.db import DIALECTS, by_dialect
from ..core.errors import Conflict, ValidationError
from ..core.fields import clean_reason
from ..core.i18n import _l
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..volunteers.models import Volunteer
from .models import ISSUANCE, MEMO_MAX, Account, Setting, Transfer

# The hours→points rule lives in the database (ledger_setting) rather than in an environment
# variable: a district admin changes it from the dashboard, the change is audited, and every
# worker process sees it at once without a restart.
POINTS_PER_HOUR_KEY = "points_per_hour"
DEFAULT_POINTS_PER_HOUR = 10
POINTS_PER_HOUR_MAX = 1000
ADJUST_MAX = 100_000  # one correction; more is a typo or needs splitting with reasons


class InsufficientPoints(Conflict):
    code = "insufficient_points"


def actor_label(actor: Actor) -> str:
    """The posting's actor label (actors.label): None is the request's admin, else "system"."""
    if actor is None and has_request_context():
        from ..core.auth import current_user

        actor = current_user()
    return actors.label(actor, default="system")


def _reason(reason) -> str:
    return clean_reason(reason, _l("Say why."), limit=MEMO_MAX)


# ---- the hours→points rule ---------------------------------------------------------------


_RULE = select(Setting.value).where(Setting.key == POINTS_PER_HOUR_KEY)


def points_per_hour() -> int:
    value = db.session.scalar(_RULE)  # a rule set earlier in this transaction counts (autoflush)
    return value if value is not None else DEFAULT_POINTS_PER_HOUR


def set_points_per_hour(value, *, actor: Actor = None) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= \
            POINTS_PER_HOUR_MAX:
        raise ValidationError(_l("Points per hour must be a whole number from 1 to %(n)d.",
                                 n=POINTS_PER_HOUR_MAX), "invalid_rule", field="points_per_hour")
    setting = db.session.get(Setting, POINTS_PER_HOUR_KEY, with_for_update=True)
    before = setting.value if setting is not None else DEFAULT_POINTS_PER_HOUR
    if setting is None:
        setting = Setting(key=POINTS_PER_HOUR_KEY, value=value)
        db.session.add(setting)
    setting.value, setting.updated_by = value, actor_label(actor)
    db.session.flush()
    audit.record("ledger.rule", actor=actors.for_audit(actor), points_per_hour=[before, value])
    return value


def points_for_minutes(minutes: int, rule: int | None = None) -> int:
    """Whole points for credited minutes, rounded down: the bank never pays for time not served.
    `rule` is points per hour when the caller has read it already."""
    return max(0, int(minutes)) * (points_per_hour() if rule is None else rule) // 60


# ---- accounts ------------------------------------------------------------------------------


def _get_or_create(query, make) -> Account:
    account = db.session.scalar(query)
    if account is not None:
        return account
    try:
        with db.session.begin_nested():  # a concurrent first use wins; we read its row
            account = make()
            db.session.add(account)
    except IntegrityError:
        account = db.session.scalar(query)
        if account is None:
            raise
    return account


def account_for(volunteer: Volunteer) -> Account:
    return _get_or_create(select(Account).where(Account.volunteer_id == volunteer.id),
                          lambda: Account(kind="volunteer", volunteer_id=volunteer.id))


# A volunteer's first credit makes their account: one statement, the id back, or nothing when
# the account exists (a concurrent first credit made it; its row is then read).
_OPEN_ACCOUNT = {
    name: dialect.insert(Account.__table__)
    .values(kind="volunteer", volunteer_id=bindparam("volunteer_id"),
            created_at=bindparam("created_at"))
    .on_conflict_do_nothing().returning(Account.__table__.c.id)
    for name, dialect in DIALECTS.items()}


def _account_id_for(volunteer_id: int) -> int:
    made = db.session.connection().execute(
        by_dialect(_OPEN_ACCOUNT), {"volunteer_id": volunteer_id, "created_at": utcnow()}
    ).scalar()
    if made is not None:
        return made
    return db.session.scalar(select(Account.id).where(Account.volunteer_id == volunteer_id))


def system_account(code: str) -> Account:
    return _get_or_create(select(Account).where(Account.code == code),
                          lambda: Account(kind="system", code=code))


def lock_account(account: Account) -> Account:
    """Row lock (PostgreSQL); SQLite writers are already serialised by BEGIN IMMEDIATE."""
    return db.session.scalar(select(Account).where(Account.id == account.id)
                             .with_for_update().execution_options(populate_existing=True))


def account_balance(account: Account | int) -> int:
    account_id = account if isinstance(account, int) else account.id
    signed = case((Transfer.credit_account_id == account_id, Transfer.amount),
                  else_=-Transfer.amount)
    return db.session.scalar(
        select(func.coalesce(func.sum(signed), 0)).where(
            (Transfer.credit_account_id == account_id)
            | (Transfer.debit_account_id == account_id))
    )


def balance(volunteer: Volunteer) -> int:
    """The sum of the volunteer's entries: credits minus debits."""
    account_id = db.session.scalar(select(Account.id).where(Account.volunteer_id == volunteer.id))
    return 0 if account_id is None else account_balance(account_id)


def balances(account_ids=None) -> dict[int, int]:
    """Every account's balance (or those given), from the entries in one pass."""
    credits = select(Transfer.credit_account_id.label("a"), Transfer.amount.label("n"))
    debits = select(Transfer.debit_account_id.label("a"), (-Transfer.amount).label("n"))
    legs = credits.union_all(debits).subquery()
    query = select(legs.c.a, func.sum(legs.c.n)).group_by(legs.c.a)
    if account_ids is not None:
        query = query.where(legs.c.a.in_(list(account_ids)))
    return {a: int(n) for a, n in db.session.execute(query)}


# ---- postings ------------------------------------------------------------------------------


def find(source_type: str, source_id) -> Transfer | None:
    return db.session.scalar(select(Transfer).where(Transfer.source_type == source_type,
                                                    Transfer.source_id == str(source_id)))


_transfers = Transfer.__table__
# One statement per posting: a source that already posted (a retry, a race) inserts nothing
# and the existing transfer is returned. Both databases spell it the same way.
_INSERT_TRANSFER = {name: dialect.insert(_transfers).on_conflict_do_nothing()
                    .returning(_transfers.c.id) for name, dialect in DIALECTS.items()}

# A shift's credit in one statement (a crediting sign-out is the busiest posting): the
# accounts and the hours->points rule are read by the INSERT itself, and nothing is inserted
# when an account does not exist yet (a volunteer's first credit: made the usual way), when
# the minutes earn no point, or when the shift has posted already (a retry).
_issuance, _own = aliased(Account), aliased(Account)
_rule = func.coalesce(_RULE.scalar_subquery(), DEFAULT_POINTS_PER_HOUR)
_points = bindparam("minutes", type_=Integer) * _rule // 60
_CREDIT_COLUMNS = ("debit_account_id", "credit_account_id", "amount", "source_type",
                   "source_id", "minutes", "memo", "actor", "created_at")
_CREDIT_SHIFT = {
    name: dialect.insert(_transfers).from_select(_CREDIT_COLUMNS, select(
        _issuance.id, _own.id, _points, literal("shift"), bindparam("source_id"),
        bindparam("minutes", type_=Integer), bindparam("memo"), bindparam("actor"),
        bindparam("created_at", type_=UtcDateTime()))
        .select_from(_issuance).join(_own, _own.volunteer_id == bindparam("volunteer_id"))
        .where(_issuance.code == ISSUANCE, _points > 0))
    .on_conflict_do_nothing().returning(_transfers.c.id, _transfers.c.amount,
                                        _transfers.c.debit_account_id,
                                        _transfers.c.credit_account_id)
    for name, dialect in DIALECTS.items()}


def _audit_posting(transfer_id: int, values: dict, actor) -> None:
    audit.record("ledger.post", ("ledger_transfer", transfer_id), actor=actors.for_audit(actor),
                 source=f"{values['source_type']}:{values['source_id']}",
                 amount=values["amount"], debit=values["debit_account_id"],
                 credit=values["credit_account_id"])


def post(debit: Account | int, credit: Account | int, amount: int, source_type: str,
         source_id, *, minutes: int = 0, memo: str = "", actor: Actor = None,
         reverses: Transfer | None = None) -> tuple[Transfer, bool]:
    """Insert one transfer, audited; (existing, False) when its source already posted (a
    retry). Accounts are given as records or ids."""
    debit_id, credit_id = (a if isinstance(a, int) else a.id for a in (debit, credit))
    values = {"debit_account_id": debit_id, "credit_account_id": credit_id, "amount": amount,
              "source_type": source_type, "source_id": str(source_id), "minutes": minutes,
              "memo": memo[:MEMO_MAX], "actor": actor_label(actor),
              "reverses_transfer_id": reverses.id if reverses else None,
              "created_at": utcnow()}
    db.session.flush()  # accounts made earlier in this transaction exist for the FK check
    new_id = db.session.connection().execute(by_dialect(_INSERT_TRANSFER), values).scalar()
    if new_id is None:
        existing = find(source_type, source_id)
        if existing is None:  # another unique rule refused it: not a retry of this source
            raise Conflict(_l("This entry conflicts with one already recorded."),
                           "transfer_conflict")
        return existing, False
    # The row exists as written: the session gets it as a loaded object, with no query.
    transfer = Transfer(id=new_id, **values)
    make_transient_to_detached(transfer)
    db.session.add(transfer)
    _audit_posting(new_id, values, actor)
    return transfer, True


def credit_for_shift(shift_id: int, volunteer_id: int, minutes: int, *, memo: str = "",
                     actor="system") -> int | None:
    """Points for `minutes` of a closed, creditable shift, audited like every posting: the
    transfer's id, or None when the minutes earn no point. Calling again returns the same
    transfer. Usually one statement: the accounts and the rule are read by the INSERT.
    `actor` is whoever made the shift count: "system" for a sign-out, the admin who entered
    or approved it otherwise (ledger row and audit entry name them)."""
    memo = memo[:MEMO_MAX]
    row = db.session.connection().execute(by_dialect(_CREDIT_SHIFT), {
        "volunteer_id": volunteer_id, "minutes": minutes, "source_id": str(shift_id),
        "memo": memo, "actor": actor_label(actor), "created_at": utcnow()}).first()
    if row is not None:
        _audit_posting(row.id, {"source_type": "shift", "source_id": shift_id,
                                "amount": row.amount, "debit_account_id": row.debit_account_id,
                                "credit_account_id": row.credit_account_id}, actor)
        return row.id
    # Nothing inserted: find out why, the slow way (rare: a first credit or a retry).
    existing = find("shift", shift_id)
    if existing is not None:
        return existing.id
    points = points_for_minutes(minutes)
    if points <= 0:
        return None
    issuance, own = system_account(ISSUANCE).id, _account_id_for(volunteer_id)
    transfer, _ = post(issuance, own, points, "shift", shift_id, minutes=minutes, memo=memo,
                       actor=actor)
    return transfer.id


def credit_shift(shift, *, actor="system") -> Transfer | None:
    """credit_for_shift() for a Shift: its transfer, or None when it is not creditable (open,
    waiting for review, rejected) or earns no point."""
    if not shift.is_creditable or not shift.credited_minutes:
        return None
    transfer_id = credit_for_shift(shift.id, shift.volunteer_id, shift.credited_minutes,
                                   memo=shift.site.name if shift.site else "", actor=actor)
    return None if transfer_id is None else db.session.get(Transfer, transfer_id)


def credit_service(order, volunteer: Volunteer, minutes: int) -> Transfer:
    """Points for a completed service order (source order:<id>); once per order."""
    if not isinstance(minutes, int) or minutes <= 0:
        raise ValidationError(_l("Service minutes must be a positive whole number."),
                              "invalid_minutes", field="minutes")
    points = points_for_minutes(minutes)
    if points <= 0:
        raise ValidationError(_l("Too few minutes to earn a point."), "no_points",
                              field="minutes")
    memo = str(getattr(order, "number", "") or getattr(order, "title", "") or "")
    transfer, _ = post(system_account(ISSUANCE), _account_id_for(volunteer.id), points, "order",
                       order.id, minutes=minutes, memo=memo, actor="system")
    return transfer


def _debit_volunteer_checked(account: Account, amount: int) -> None:
    """Lock a volunteer account and refuse a debit it cannot cover: balances never go negative."""
    if account.kind != "volunteer":
        return
    lock_account(account)
    current = account_balance(account)
    if current < amount:
        raise InsufficientPoints(
            _l("Not enough points: the balance is %(b)d, %(n)d are needed.", b=current, n=amount),
            details={"balance": current, "needed": amount})


def reverse(transfer: Transfer, reason: str, actor: Actor = None) -> Transfer:
    """Undo a transfer with one going the other way (source reversal:<id>); at most once."""
    reason = _reason(reason)
    if transfer.reverses_transfer_id is not None:
        raise Conflict(_l("A reversal cannot itself be reversed; make an adjustment instead."),
                       "reversal_of_reversal")
    if find("reversal", transfer.id) is not None:
        raise Conflict(_l("This entry has already been reversed."), "already_reversed")
    debit, credit = transfer.credit_account, transfer.debit_account
    _debit_volunteer_checked(debit, transfer.amount)
    reversal, created = post(debit, credit, transfer.amount, "reversal", transfer.id,
                             minutes=transfer.minutes, memo=reason, actor=actor,
                             reverses=transfer)
    if not created:  # a concurrent reversal got there first
        raise Conflict(_l("This entry has already been reversed."), "already_reversed")
    if transfer.source_type == "redemption":
        from .catalog import restock_for

        restock_for(transfer)
    return reversal


def adjust(volunteer: Volunteer, points, reason: str, actor: Actor = None, *,
           key: str | None = None) -> Transfer:
    """An admin correction, positive or negative; a key makes a retried request post once."""
    reason = _reason(reason)
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        raise ValidationError(_l("Points must be a non-zero whole number."), "invalid_points",
                              field="points")
    if abs(points) > ADJUST_MAX:
        raise ValidationError(_l("One adjustment moves at most %(n)d points; split a larger "
                                 "correction and give each part its reason.", n=ADJUST_MAX),
                              "too_many_points", field="points")
    source_id = key or uuid.uuid4().hex
    existing = find("adjustment", source_id)
    if existing is not None:
        return existing
    account, issuance = account_for(volunteer), system_account(ISSUANCE)
    debit, credit = (issuance, account) if points > 0 else (account, issuance)
    _debit_volunteer_checked(debit, abs(points))
    transfer, _ = post(debit, credit, abs(points), "adjustment", source_id, memo=reason,
                       actor=actor)
    return transfer


def is_reversed(transfer: Transfer) -> bool:
    return find("reversal", transfer.id) is not None


def verify() -> list[str]:
    """Problems with the books, empty when sound: every balance is its entries' sum by
    construction, so what can go wrong is a negative volunteer or a sum other than zero."""
    problems = []
    sums = balances()
    if sum(sums.values()) != 0:
        problems.append(f"balances sum to {sum(sums.values())}, not 0")
    volunteer_ids = set(db.session.scalars(select(Account.id).where(Account.kind == "volunteer")))
    for account_id, amount in sums.items():
        if account_id in volunteer_ids and amount < 0:
            problems.append(f"account {account_id} is negative ({amount})")
    unbalanced = db.session.scalar(select(func.count()).select_from(Transfer).where(
        (Transfer.amount <= 0) | (Transfer.debit_account_id == Transfer.credit_account_id)))
    if unbalanced:
        problems.append(f"{unbalanced} transfers are not two-legged")
    return problems

