"""Engine set-up (SQLite pragmas, BEGIN IMMEDIATE) and the one-transaction-per-request rule."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from flask import Flask, g, has_request_context, request
from sqlalchemy import event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql.expression import Executable

from ..extensions import db

log = logging.getLogger(__name__)

# SQLite takes its write lock at BEGIN IMMEDIATE, so two writers queue on the busy timeout
# instead of failing with "database is locked" when a deferred reader upgrades. Requests that
# only read (GET/HEAD) begin deferred so they never wait for a writer.
# Outside a request (CLI, scripts, tests) transactions begin deferred unless the caller
# declares a write with `writing()`.
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_declared_write: ContextVar[bool] = ContextVar("declared_write", default=False)


def wants_write_lock() -> bool:
    """True when this transaction begins as a writer (BEGIN IMMEDIATE on SQLite)."""
    if _declared_write.get():
        return True
    return has_request_context() and request.method not in SAFE_METHODS


@contextmanager
def writing():
    """Begin SQLite transactions in this block with BEGIN IMMEDIATE, after the writer gate: a
    CLI that writes, or a read request's own short write on a connection of its own."""
    token = _declared_write.set(True)
    try:
        yield
    finally:
        _declared_write.reset(token)


class WriterGate:
    """One writer at a time for a SQLite file, across threads and processes, woken at once.

    SQLite's own busy handler makes a waiting writer sleep and poll (1, 2, 5 … 100 ms), so under
    load the lock sits free while every waiter sleeps: the CPU idles and p99 grows to a second.
    Writers of this app queue here first, on a thread lock and then an flock(2) of a file beside
    the database, which the kernel hands over the moment it is released, and is released by the
    kernel if a process dies holding it. BEGIN IMMEDIATE and the busy timeout stay underneath
    for anything that does not use the gate (sqlite3 on the command line, another program)."""

    _gates: dict[str, WriterGate] = {}
    _gates_lock = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    @classmethod
    def for_database(cls, database: str) -> WriterGate | None:
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        path = os.path.abspath(database) + ".writer-lock"
        with cls._gates_lock:
            return cls._gates.setdefault(path, cls(path))

    def _file(self) -> int | None:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            try:
                # Read-only is enough for flock(2), so another user of the same database (the
                # CLI run as root, the server as www-data) can share a file the first one made.
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
            except OSError as error:
                log.warning("no SQLite writer gate (%s): writers wait on the busy timeout", error)
                self._fd = None
        return self._fd

    @classmethod
    def _after_fork(cls) -> None:
        """A forked worker starts with fresh locks and opens its own file: the parent's thread
        lock may have been held at the fork, and flock is shared by inherited descriptors."""
        for gate in cls._gates.values():
            if gate._fd is not None:
                os.close(gate._fd)
            gate._thread_lock, gate._fd, gate._pid = threading.Lock(), None, None

    def acquire(self, timeout: float) -> None:
        # The timeout only guards a thread against itself (a second write connection opened
        # while its first is still in a transaction); other holders always finish.
        if not self._thread_lock.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked (writer gate)")
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


os.register_at_fork(after_in_child=WriterGate._after_fork)


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions hold the WriterGate until they end."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self.gate = WriterGate.for_database(os.fsdecode(database))
        self.gate_timeout = kwargs.get("timeout", 5.0)
        self.holds_gate = False

    def begin_write(self) -> None:
        if self.gate is not None and not self.holds_gate:
            self.gate.acquire(self.gate_timeout)
            self.holds_gate = True

    def end_write(self) -> None:
        if self.holds_gate:
            self.holds_gate = False
            self.gate.release()

    def commit(self):
        try:
            super().commit()
        finally:
            self.end_write()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.end_write()

    def close(self):
        try:
            super().close()
        finally:
            self.end_write()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    # SQLAlchemy's documented recipe for SQLite's transaction modes (pysqlite's own BEGIN is
    # off, see _configure_sqlite), with the writer gate taken first for a write.
    if connection.dialect.name != "sqlite":
        return
    write = wants_write_lock()
    raw = connection.connection.dbapi_connection
    gated = write and isinstance(raw, GatedConnection)
    statement = "BEGIN IMMEDIATE" if write else "BEGIN"
    if gated:
        try:
            raw.begin_write()
        except sqlite3.Error as error:  # as SQLAlchemy wraps a statement's error
            raise exc.OperationalError(statement, None, error) from error
    try:
        connection.exec_driver_sql(statement)
    except BaseException:
        if gated:
            raw.end_write()
        raise


# Statements the dialects spell differently (INSERT … ON CONFLICT comes from each dialect's own
# insert()) are built once per dialect, as {name: statement}, and picked per execution.
DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def by_dialect(statements: dict[str, Executable]) -> Executable:
    """The statement of `statements` for the session's database."""
    return statements[db.engine.dialect.name]


class RetryTransaction(Exception):  # noqa: N818 (a signal to commit_now, not an error)
    """Raised by work run through commit_now(): undo this attempt and run it again."""


T = TypeVar("T")


def commit_now(work: Callable[[bool], T], *, retry: bool = True) -> T:
    """Run `work(retrying)` in the request's transaction and commit as soon as it returns,
    before the response is built: for a view whose answer is final once its work is done (a
    kiosk upload), so that on SQLite the one writer's turn ends here, not after the answer
    is serialised. If the work raises RetryTransaction, what it did is rolled back and it runs
    once more with retrying=True (it then checks first what it assumed the first time). The
    web layer's after_request commit then finds nothing to do; an error raised by the work
    rolls back as any view's would."""
    try:
        result = work(False)
    except RetryTransaction:
        if not retry:
            raise
        db.session.rollback()
        result = work(True)
    db.session.commit()
    return result


def discard_work() -> None:
    """Roll back what the request wrote so far and go on in a new transaction, which the web
    layer commits as usual: for a refusal whose own record must be kept (a rejected code's
    audit entry) while the attempt it refused is undone."""
    db.session.rollback()
    g.pop("rollback", None)


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def serialize(name: str) -> None:
    """Hold a lock named `name` until this transaction ends, for a rule that reads before it
    writes and has no row to lock (a count of today's orders from one phone). PostgreSQL: a
    transaction-scoped advisory lock on a 64-bit hash of the name; SQLite: nothing, as its
    writers already run one at a time."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection.execute(_ADVISORY_LOCK, {"key": key})


def engine_options(url: str, busy_timeout_ms: int) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout_ms / 1000, "factory": GatedConnection}}
    return {"pool_pre_ping": True}


def mark_failed() -> None:
    """Called by error handlers: the request's work is rolled back, not committed."""
    g.rollback = True
    db.session.rollback()


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit_or_rollback(response):
        # The web layer owns the transaction: operations only flush.
        if g.get("rollback"):
            db.session.rollback()
        else:
            db.session.commit()
        return response
