"""Engine set-up (SQLite pragmas, BEGIN IMMEDIATE) and the one-transaction-per-request rule."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db

# SQLite takes its write lock at BEGIN IMMEDIATE, so two writers queue on the busy timeout
# instead of failing with "database is locked" when a deferred reader upgrades. Requests that
# only read (GET/HEAD) begin deferred so they never wait for a writer.
# Outside a request (CLI, scripts, tests) transactions begin deferred unless the caller
# declares a write with `writing()`.
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_declared_write: ContextVar[bool] = ContextVar("declared_write", default=False)


def _wants_write_lock() -> bool:
    if has_request_context():
        return request.method not in SAFE_METHODS
    return _declared_write.get()


@contextmanager
def writing():
    """Begin SQLite transactions in this block with BEGIN IMMEDIATE (a CLI that writes)."""
    token = _declared_write.set(True)
    try:
        yield
    finally:
        _declared_write.reset(token)


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
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


def engine_options(url: str, busy_timeout_ms: int) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout_ms / 1000}}
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
