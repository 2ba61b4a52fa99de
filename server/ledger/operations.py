"""Time-bank rules: accounts, credits for hours, reversals, adjustments, balances. They flush."""

from __future__ import annotations

import uuid

from flask import has_request_context
from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.errors import Conflict, ValidationError
from ..core.hot import Hot, adopt_values, insert_or_nothing
from ..core.i18n import _l
from ..core.timeutil import utcnow
from ..extensions import db
from ..volunteers.models import Volunteer
from .models import ISSUANCE, MEMO_MAX, Account, Setting, Transfer

# The hours→points rule lives in the database (ledger_setting) rather than in an environment
# variable: a district admin changes it from the dashboard, the change is audited, and every
# worker process sees it at once without a restart.
POINTS_PER_HOUR_KEY = "points_per_hour"
DEFAULT_POINTS_PER_HOUR = 10
POINTS_PER_HOUR_MAX = 1000


class InsufficientPoints(Conflict):
    code = "insufficient_points"


def actor_label(actor) -> str:
    """A readable name for whoever posts: an admin, a kiosk, a volunteer, or a label."""
    if actor is None and has_request_context():
        from ..core.auth import current_user

        actor = current_user()
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor[:120]
    if hasattr(actor, "username"):
        return actor.username
    if hasattr(actor, "secret_hash"):
        return f"kiosk {actor.id}"
    if isinstance(actor, Volunteer):
        return f"volunteer {actor.number}"
    return str(actor)[:120]


def audit_actor(actor):
    """What audit.record accepts: an admin user as such, anything else by its label."""
    return actor if actor is None or hasattr(actor, "username") else actor_label(actor)


def _reason(reason) -> str:
    reason = " ".join((reason or "").split()) if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError(_l("Say why."), "reason_required", field="reason")
    if len(reason) > MEMO_MAX:
        raise ValidationError(_l("The reason is too long (at most %(n)d characters).",
                                 n=MEMO_MAX), "too_long", field="reason")
    return reason


# ---- the hours→points rule ---------------------------------------------------------------


_RULE = select(Setting.__table__.c.value).where(Setting.__table__.c.key == POINTS_PER_HOUR_KEY)
_READ_RULE = Hot(_RULE)


def points_per_hour() -> int:
    value = _READ_RULE.scalar()  # a rule set earlier in this transaction counts (autoflush)
    return value if value is not None else DEFAULT_POINTS_PER_HOUR


def set_points_per_hour(value, *, actor=None) -> int:
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
    audit.record("ledger.rule", actor=audit_actor(actor), points_per_hour=[before, value])
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
_OPEN_ACCOUNT = insert_or_nothing(
    Account.__table__, returning=Account.__table__.c.id,
    values={"kind": "volunteer", "volunteer_id": bindparam("volunteer_id"),
            "created_at": bindparam("created_at")})


def _account_id_for(volunteer: Volunteer) -> int:
    made = _OPEN_ACCOUNT.scalar({"volunteer_id": volunteer.id, "created_at": utcnow()})
    return made if made is not None else account_for(volunteer).id


def system_account(code: str) -> Account:
    return _get_or_create(select(Account).where(Account.code == code),
                          lambda: Account(kind="system", code=code))


_accounts = Account.__table__.c
# What every credit needs: the issuance account, the volunteer's account and the hours->points
# rule. A query of its own below; shifts.operations.close() reads them inside its own query,
# LEFT JOINing CREDIT_ACCOUNTS on CREDIT_ACCOUNTS_ON (bindparam "volunteer_id") and selecting
# CREDIT_COLUMNS, and passes the rows to credit_context().
CREDIT_ACCOUNTS = Account.__table__
CREDIT_ACCOUNTS_ON = (_accounts.code == ISSUANCE) | \
    (_accounts.volunteer_id == bindparam("volunteer_id"))
CREDIT_COLUMNS = (_accounts.id, _accounts.code,
                  func.coalesce(_RULE.scalar_subquery(), DEFAULT_POINTS_PER_HOUR))
_CREDIT_CONTEXT = Hot(select(*CREDIT_COLUMNS).where(CREDIT_ACCOUNTS_ON))


def credit_context(volunteer: Volunteer, rows=None) -> tuple[int, int, int]:
    """(issuance account id, the volunteer's account id, points per hour), from rows of
    CREDIT_COLUMNS (read now when not given); an account that does not exist yet is made the
    usual way."""
    # A rule set earlier in this transaction counts (hot statements flush first).
    rows = _CREDIT_CONTEXT.rows({"volunteer_id": volunteer.id}) if rows is None else rows
    found = {code: account_id for account_id, code, _ in rows if account_id is not None}
    issuance = found.get(ISSUANCE) or system_account(ISSUANCE).id
    own = found.get(None) or _account_id_for(volunteer)  # a volunteer's account has no code
    return issuance, own, rows[0][2] if rows else points_per_hour()


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


# One statement per posting: a source that already posted (a retry, a race) inserts nothing
# and the existing transfer is returned. Both databases spell it the same way.
_INSERT_TRANSFER = insert_or_nothing(Transfer.__table__, returning=Transfer.__table__.c.id)


def post(debit: Account | int, credit: Account | int, amount: int, source_type: str,
         source_id, *, minutes: int = 0, memo: str = "", actor=None,
         reverses: Transfer | None = None, audited: bool = True) -> tuple[Transfer, bool]:
    """Insert one transfer; (existing, False) when its source already posted (a retry).
    Accounts are given as records or ids. `audited=False` for the rule's own credits: the
    transfer row (append-only, with its source, actor and time) is their whole record, and the
    shift or order it names is recorded where it happened; an audit entry for every sign-out
    repeated it at the cost of one more INSERT and four index entries."""
    debit_id, credit_id = (a if isinstance(a, int) else a.id for a in (debit, credit))
    values = {"debit_account_id": debit_id, "credit_account_id": credit_id, "amount": amount,
              "source_type": source_type, "source_id": str(source_id), "minutes": minutes,
              "memo": memo[:MEMO_MAX], "actor": actor_label(actor),
              "reverses_transfer_id": reverses.id if reverses else None,
              "created_at": utcnow()}
    new_id = _INSERT_TRANSFER.scalar(values)
    if new_id is None:
        existing = find(source_type, source_id)
        if existing is None:  # another unique rule refused it: not a retry of this source
            raise Conflict(_l("This entry conflicts with one already recorded."),
                           "transfer_conflict")
        return existing, False
    # The row exists: the object joins the session as loaded, with no second INSERT.
    transfer = adopt_values(Transfer, {"id": new_id, **values})
    if audited:
        audit.record("ledger.post", transfer, actor=audit_actor(actor), source=transfer.source,
                     amount=amount, debit=debit_id, credit=credit_id)
    return transfer, True


def credit_shift(shift, context: tuple[int, int, int] | None = None) -> Transfer | None:
    """Points for a closed, creditable shift; calling again returns the same transfer.
    `context`: credit_context() when the caller has it."""
    if not shift.is_creditable or not shift.credited_minutes:
        return None
    issuance, own, rule = context or credit_context(shift.volunteer)
    points = points_for_minutes(shift.credited_minutes, rule)
    if points <= 0:
        return None
    transfer, _ = post(issuance, own, points, "shift",
                       shift.id, minutes=shift.credited_minutes,
                       memo=shift.site.name if shift.site else "", actor="system",
                       audited=False)
    return transfer


def credit_service(order, volunteer: Volunteer, minutes: int) -> Transfer:
    """Points for a completed service order (source order:<id>); once per order."""
    if not isinstance(minutes, int) or minutes <= 0:
        raise ValidationError(_l("Service minutes must be a positive whole number."),
                              "invalid_minutes", field="minutes")
    issuance, own, rule = credit_context(volunteer)
    points = points_for_minutes(minutes, rule)
    if points <= 0:
        raise ValidationError(_l("Too few minutes to earn a point."), "no_points",
                              field="minutes")
    memo = str(getattr(order, "number", "") or getattr(order, "title", "") or "")
    transfer, _ = post(issuance, own, points, "order",
                       order.id, minutes=minutes, memo=memo, actor="system", audited=False)
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


def reverse(transfer: Transfer, reason: str, actor=None) -> Transfer:
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


def adjust(volunteer: Volunteer, points, reason: str, actor=None, *,
           key: str | None = None) -> Transfer:
    """An admin correction, positive or negative; a key makes a retried request post once."""
    reason = _reason(reason)
    if not isinstance(points, int) or isinstance(points, bool) or points == 0 or \
            abs(points) > 100_000:
        raise ValidationError(_l("Points must be a non-zero whole number."), "invalid_points",
                              field="points")
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

