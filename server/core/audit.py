"""The audit log: who did what to which record, appended by operations, never edited, and
chained by hashes so that an entry altered, inserted or removed afterwards is found."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import weakref
from dataclasses import dataclass
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..core.actors import Actor
from ..extensions import db
from . import actors
from .db import wants_write_lock, writing
from .timeutil import UtcDateTime, as_utc, utcnow

GENESIS = "0" * 64  # the "previous hash" of the first entry
_PENDING = "audit_pending"  # session.info key: (id, content digest) of entries not yet chained


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    actor: Mapped[str] = mapped_column(String(120), default="")  # readable: "admin", "kiosk 3"
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # The site the entry is about, for scoping the log to an admin's subtree: the target's site
    # (a site, or a record with a site_id), else the acting admin's site; None for the district.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    # The chain: position, the previous entry's hash, and this entry's hash over its position,
    # the previous hash and the digest of its content. Given when the writing transaction
    # commits (seal), so the chain's lock is the last one a transaction takes.
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChain(db.Model):
    """The chain's head (one row, id 1): the last position and hash given. Appends lock it, so
    two transactions never chain onto the same entry; verify compares it with the last entry,
    so removing entries at the end is found too."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


_INSERT = insert(AuditEvent.__table__).returning(AuditEvent.id)


def _moment(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_digest(at: datetime, action: str, actor_user_id: int | None, actor: str | None,
                   target_type: str | None, target_id: str | None, ip: str | None,
                   details: dict | None, site_id: int | None = None) -> str:
    """SHA-256 of an entry's content in one canonical form (what is stored, read back). The
    site joined the content later: an entry without one hashes as it did before."""
    content = [_moment(at), action, actor_user_id, actor, target_type, target_id, ip,
               details if details is not None else {}]
    if site_id is not None:
        content.append(site_id)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(seq: int, prev_hash: str, digest: str) -> str:
    return hashlib.sha256(f"{seq}:{prev_hash}:{digest}".encode()).hexdigest()


def _site_of(target, actor) -> int | None:
    if getattr(target, "__tablename__", None) == "site":
        return target.id
    site_id = getattr(target, "site_id", None)
    if isinstance(site_id, int):
        return site_id
    site_id = getattr(actor, "site_id", None)
    return site_id if isinstance(site_id, int) else None


def record(action: str, target=None, *, actor: Actor = None, site=None, **details) -> None:
    """Append an audit event in the current transaction. `actor` is a user or a label;
    `target` a record (anything with __tablename__ and id) or a (table name, id) pair;
    `site` (a site or its id) says where it happened when neither target nor actor does.

    One Core INSERT, executed now: events are never read back in the request that writes them,
    so they need no ORM object (kiosk uploads write one on every refusal and credit). The
    entry joins the hash chain when the transaction commits.

    In a request that only reads (a refused scan of /S/<token>, a kiosk's status lookup) on
    SQLite, the request's transaction began deferred: upgrading it to write fails at once
    ("database is locked") when another writer committed since it began. Its audit entry
    takes the writer's path instead: its own connection, after the writer gate, BEGIN
    IMMEDIATE, chained and committed at once, so it is neither a 500 nor lost."""
    from .auth import current_user

    if actor is None and has_request_context():
        actor = current_user()
    if isinstance(target, tuple):
        target_type, target_id = target
    elif target is not None:
        target_type, target_id = target.__tablename__, target.id
    else:
        target_type = target_id = None
    values = {
        "at": utcnow(),
        "action": action,
        "actor_user_id": actors.admin_id(actor),
        "actor": actors.admin_label(actor),
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "ip": request.remote_addr if has_request_context() else None,
        "details": details,
        "site_id": getattr(site, "id", site) if site is not None else _site_of(target, actor),
    }
    if has_request_context() and not wants_write_lock() \
            and db.engine.dialect.name == "sqlite":
        with writing(), db.engine.begin() as connection:
            entry_id = connection.execute(_INSERT, values).scalar_one()
            _seal_entries(connection, [(entry_id, content_digest(**values))])
        return
    session = db.session()
    entry_id = session.connection().execute(_INSERT, values).scalar_one()
    session.info.setdefault(_PENDING, []).append((entry_id, content_digest(**values)))


# PostgreSQL: one statement per entry. The head row is taken by INSERT … ON CONFLICT DO
# UPDATE, which waits for a concurrent appender's lock and then works on the row it committed
# (not on the statement's snapshot), so two transactions never chain onto one entry; the
# lock is held to commit. (An entry gone with a rolled-back savepoint is off the pending list.)
_SEAL_POSTGRESQL = text("""
WITH head AS (
    INSERT INTO audit_chain (id, seq, prev_hash, entry_hash)
    SELECT 1, 1, CAST(:genesis AS text),
        encode(sha256(convert_to('1:' || CAST(:genesis AS text) || ':'
                                 || CAST(:digest AS text), 'UTF8')), 'hex')
    ON CONFLICT (id) DO UPDATE SET
        seq = audit_chain.seq + 1,
        prev_hash = audit_chain.entry_hash,
        entry_hash = encode(sha256(convert_to(
            (audit_chain.seq + 1)::text || ':' || audit_chain.entry_hash || ':'
            || CAST(:digest AS text), 'UTF8')), 'hex')
    RETURNING seq, prev_hash, entry_hash
)
UPDATE audit_event SET seq = head.seq, prev_hash = head.prev_hash, entry_hash = head.entry_hash
FROM head WHERE audit_event.id = CAST(:id AS integer)
""")


@dataclass
class Head:
    seq: int
    entry_hash: str
    prev_hash: str = GENESIS


def _seal(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _seal_entries(session.connection(), pending)


def _seal_entries(connection, pending: list[tuple[int, str]]) -> None:
    """Give each (entry id, content digest) its place in the chain, in this transaction."""
    if connection.dialect.name == "postgresql":
        for entry_id, digest in pending:
            connection.execute(_SEAL_POSTGRESQL, {"id": entry_id, "digest": digest,
                                                  "genesis": GENESIS})
        return
    # SQLite: this transaction is the one writer (BEGIN IMMEDIATE, or a write lock taken by
    # its first INSERT), so the head it moves cannot move under it before the commit.
    table = AuditEvent.__table__
    for entry_id, digest in pending:  # a savepoint rolled back took its own off the list
        head = connection.execute(_MOVE_HEAD_SQLITE, {"digest": digest}).first()
        if head is None:  # the first entry, or the head row was emptied with its table
            start = _head(connection) or Head(0, GENESIS)
            head = Head(start.seq + 1, link_hash(start.seq + 1, start.entry_hash, digest),
                        start.entry_hash)
            _store_head(connection, head)
        connection.execute(table.update().where(table.c.id == entry_id).values(
            seq=head.seq, prev_hash=head.prev_hash, entry_hash=head.entry_hash))


# The head moves in one statement; audit_link is link_hash, given to each SQLite connection.
_MOVE_HEAD_SQLITE = text(
    "UPDATE audit_chain SET seq = seq + 1, prev_hash = entry_hash,"
    " entry_hash = audit_link(seq + 1, entry_hash, :digest) WHERE id = 1"
    " RETURNING seq, prev_hash, entry_hash")


@event.listens_for(Engine, "connect")
def _sqlite_functions(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("audit_link", 3, link_hash, deterministic=True)


def _head(connection) -> Head | None:
    row = connection.execute(select(AuditChain.seq, AuditChain.entry_hash, AuditChain.prev_hash)
                             .where(AuditChain.id == 1)).first()
    return Head(row.seq, row.entry_hash, row.prev_hash) if row else None


def _store_head(connection, head: Head) -> None:
    if head.seq == 0:
        return
    table = AuditChain.__table__
    values = {"seq": head.seq, "entry_hash": head.entry_hash, "prev_hash": head.prev_hash}
    if connection.execute(table.update().where(table.c.id == 1).values(values)).rowcount == 0:
        connection.execute(table.insert().values(id=1, **values))


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        session.flush()  # whatever the flush audits is chained too
        _seal(session)


# A savepoint rolled back takes its entries with it (and SQLite may give their ids again), so
# each savepoint remembers how many entries were pending when it began.
_MARKS = "audit_savepoint_marks"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_MARKS, weakref.WeakKeyDictionary())
        marks[transaction] = len(session.info.get(_PENDING, ()))


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        if previous_transaction.parent is None:  # the whole transaction: nothing is left
            session.info.pop(_PENDING, None)
        return
    mark = session.info.get(_MARKS, {}).get(previous_transaction)
    if mark is not None and _PENDING in session.info:
        del session.info[_PENDING][mark:]


def chain_unsealed(connection) -> int:
    """Chain entries written without a place in it (before the chain existed), in id order,
    after the chained ones. Run by the migration that made the chain and `flask audit chain`;
    the caller commits. Returns how many were chained."""
    if connection.dialect.name == "postgresql":  # waits for appenders, keeps new ones out
        connection.execute(text("LOCK TABLE audit_chain IN EXCLUSIVE MODE"))
    head = _head(connection) or Head(0, GENESIS)
    table = AuditEvent.__table__
    rows = connection.execute(select(table).where(table.c.seq.is_(None)).order_by(table.c.id))
    count = 0
    for row in rows.all():
        digest = _digest_of(row)
        seq = head.seq + 1
        entry_hash = link_hash(seq, head.entry_hash, digest)
        connection.execute(table.update().where(table.c.id == row.id)
                           .values(seq=seq, prev_hash=head.entry_hash, entry_hash=entry_hash))
        head = Head(seq, entry_hash, head.entry_hash)
        count += 1
    _store_head(connection, head)
    return count


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold: `kind` altered | inserted | removed."""

    kind: str
    entry_id: int | None
    seq: int | None
    message: str


def verify(connection, *, batch: int = 5000) -> tuple[int, Break | None]:
    """Walk the chain in order; (entries checked, the first break or None)."""
    table = AuditEvent.__table__
    loose = connection.execute(select(table.c.id).where(table.c.seq.is_(None))
                               .order_by(table.c.id).limit(1)).scalar()
    checked = 0
    before: tuple | None = None  # (seq, entry_hash, id) of the entry before the previous
    previous: tuple | None = None
    after = 0
    while True:
        rows = connection.execute(
            select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            found = _check(row, previous, before)
            if found:
                return checked, found
            before, previous = previous, (row.seq, row.entry_hash, row.id)
            checked += 1
        after = rows[-1].seq
    if loose is not None:
        return checked, Break("inserted", loose, None,
                              f"entry {loose} is not in the chain (inserted afterwards)")
    head = _head(connection)
    last_seq, last_hash = (previous[0], previous[1]) if previous else (0, GENESIS)
    if head is None:
        if previous is None:
            return checked, None
        return checked, Break("removed", None, None, "the chain's head record was removed")
    if head.seq < last_seq:
        extra = connection.execute(select(table.c.id).where(table.c.seq == head.seq + 1)).scalar()
        return checked, Break("inserted", extra, head.seq + 1,
                              f"entry {extra} (position {head.seq + 1}) was added after the "
                              "chain's last entry")
    if (head.seq, head.entry_hash) != (last_seq, last_hash):
        return checked, Break("removed", None, last_seq + 1,
                              f"the chain's head is at position {head.seq} but its last entry "
                              f"is at {last_seq}: entries at the end were removed")
    return checked, None


def _digest_of(row) -> str:
    return content_digest(row.at, row.action, row.actor_user_id, row.actor, row.target_type,
                          row.target_id, row.ip, row.details, row.site_id)


def _check(row, previous, before) -> Break | None:
    expected_seq, expected_prev = (previous[0] + 1, previous[1]) if previous else (1, GENESIS)
    if row.prev_hash != expected_prev or row.seq != expected_seq:
        if before is not None and row.prev_hash == before[1]:
            return Break("inserted", previous[2], previous[0],
                         f"entry {previous[2]} (position {previous[0]}) was inserted afterwards")
        return Break("removed", row.id, row.seq,
                     f"entries before entry {row.id} (position {row.seq}) were removed")
    digest = _digest_of(row)
    if row.entry_hash != link_hash(row.seq, row.prev_hash, digest):
        return Break("altered", row.id, row.seq,
                     f"entry {row.id} (position {row.seq}) was altered after it was written")
    return None
