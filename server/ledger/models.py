"""The time bank: accounts, append-only two-legged transfers, the catalog and redemptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer

ACCOUNT_KINDS = ("volunteer", "system")
# System accounts, by code: where earned points come from, and where spent points go.
ISSUANCE = "hours_issuance"
REDEMPTION = "redemption"
SOURCE_TYPES = ("shift", "order", "redemption", "adjustment", "reversal")
ITEM_KINDS = ("goods", "service", "priority")
MEMO_MAX = 200


class Account(db.Model):
    __tablename__ = "ledger_account"
    __table_args__ = (
        CheckConstraint("kind IN ('volunteer', 'system')", name="kind"),
        CheckConstraint("(kind = 'volunteer' AND volunteer_id IS NOT NULL AND code IS NULL)"
                        " OR (kind = 'system' AND volunteer_id IS NULL AND code IS NOT NULL)",
                        name="owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), unique=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    volunteer: Mapped[Volunteer | None] = relationship()

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.code or self.volunteer_id}>"


class Transfer(db.Model):
    """Points move from the debit account to the credit account: one row, two legs, sum zero.

    Rows are never updated or deleted (database triggers below); a mistake is undone by a
    reversal transfer, and each source (a shift, an order, …) can post only once."""

    __tablename__ = "ledger_transfer"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id != credit_account_id", name="two_accounts"),
        CheckConstraint("source_type IN ('shift', 'order', 'redemption', 'adjustment', "
                        "'reversal')", name="source_type"),
        UniqueConstraint("source_type", "source_id", name="uq_ledger_transfer_source"),
        Index("ix_ledger_transfer_debit", "debit_account_id", "id"),
        Index("ix_ledger_transfer_credit", "credit_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    amount: Mapped[int] = mapped_column(Integer)
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(64))
    reverses_transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transfer.id"), unique=True)
    # Minutes of service behind a credit (statement and certificate), 0 when none.
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    memo: Mapped[str] = mapped_column(String(MEMO_MAX), default="")
    actor: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 index=True)

    debit_account: Mapped[Account] = relationship(foreign_keys=[debit_account_id])
    credit_account: Mapped[Account] = relationship(foreign_keys=[credit_account_id])
    reverses: Mapped[Transfer | None] = relationship(remote_side=[id])

    @property
    def source(self) -> str:
        return f"{self.source_type}:{self.source_id}"

    def __repr__(self) -> str:
        return (f"<Transfer {self.id} {self.debit_account_id}->{self.credit_account_id} "
                f"{self.amount} {self.source}>")


# Append-only in the database itself. The revision that made them holds its own copy (revisions
# are frozen, they never import models); tests/test_migrations.py compares the two, body by body.
APPEND_ONLY_DDL = {
    "sqlite": (
        "CREATE TRIGGER ledger_transfer_no_update BEFORE UPDATE ON ledger_transfer "
        "BEGIN SELECT RAISE(ABORT, 'ledger_transfer is append-only'); END",
        "CREATE TRIGGER ledger_transfer_no_delete BEFORE DELETE ON ledger_transfer "
        "BEGIN SELECT RAISE(ABORT, 'ledger_transfer is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION ledger_transfer_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'ledger_transfer is append-only' USING ERRCODE = 'restrict_violation'; "
        "END $$",
        "CREATE TRIGGER ledger_transfer_no_update_delete BEFORE UPDATE OR DELETE "
        "ON ledger_transfer FOR EACH ROW EXECUTE FUNCTION ledger_transfer_append_only()",
    ),
}
APPEND_ONLY_DROP_DDL = {
    "sqlite": ("DROP TRIGGER IF EXISTS ledger_transfer_no_update",
               "DROP TRIGGER IF EXISTS ledger_transfer_no_delete"),
    "postgresql": ("DROP TRIGGER IF EXISTS ledger_transfer_no_update_delete ON ledger_transfer",
                   "DROP FUNCTION IF EXISTS ledger_transfer_append_only()"),
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(Transfer.__table__, "after_create",
                     DDL(_statement).execute_if(dialect=_dialect))
Transfer.__table__.info["append_only"] = True


class Setting(db.Model):
    """Time-bank settings an admin changes in the dashboard (the hours→points rule)."""

    __tablename__ = "ledger_setting"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="")


class Item(db.Model):
    """Something points buy at a site: goods of a 爱心超市, a service, a priority."""

    __tablename__ = "ledger_item"
    __table_args__ = (
        CheckConstraint("kind IN ('goods', 'service', 'priority')", name="kind"),
        CheckConstraint("cost_points > 0", name="cost_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        UniqueConstraint("site_id", "name", name="uq_ledger_item_site_id_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="goods")
    description: Mapped[str] = mapped_column(String(200), default="")
    cost_points: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship()


class Redemption(db.Model):
    __tablename__ = "ledger_redemption"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("points > 0", name="points_positive"),
        unique_where("uq_ledger_redemption_client_key", "client_key",
                     where="client_key IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"),
                                                    unique=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    actor: Mapped[str] = mapped_column(String(120), default="")
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 index=True)

    item: Mapped[Item] = relationship()
    volunteer: Mapped[Volunteer] = relationship()
    transfer: Mapped[Transfer | None] = relationship()
