"""The kiosk's store is versioned (PRAGMA user_version) and upgrades in place, step by step."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.store import VERSION, Store, StoreTooNew

# The layout the first kiosks in the field wrote (kiosk/store.py at 5b2472c, unversioned):
# no order_status, no balance, user_version 0.
FIRST_LAYOUT = """
CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revocation (code_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS volunteer (
    number TEXT PRIMARY KEY,
    masked_name TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    code_version INTEGER,
    is_on_shift INTEGER NOT NULL DEFAULT 0 CHECK (is_on_shift IN (0, 1)),
    last_action_at REAL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    client_time TEXT NOT NULL,
    created_at REAL NOT NULL,
    display TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    answer TEXT,
    answered_at REAL
);
CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state, seq);
"""


def _first_layout_store(folder) -> None:
    db = sqlite3.connect(folder / "kiosk.sqlite3")
    db.executescript(FIRST_LAYOUT)
    db.execute("INSERT INTO setting VALUES ('device_id', '7')")
    db.execute("INSERT INTO outbox (key, kind, body, client_time, created_at, display) "
               "VALUES ('k-queued', 'sign', '{\"code\": \"ZH-1\"}', "
               "'2026-12-01T09:00:00+08:00', 1.0, '{\"number\": \"5108\"}')")
    db.commit()
    db.close()


def _user_version(folder) -> int:
    db = sqlite3.connect(folder / "kiosk.sqlite3")
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def test_a_store_of_the_first_layout_upgrades_without_losing_its_queued_action(tmp_path):
    _first_layout_store(tmp_path)
    assert _user_version(tmp_path) == 0
    store = Store(tmp_path)
    try:
        queued = store.pending()
        assert [(a.key, a.kind, a.body, a.display) for a in queued] == [
            ("k-queued", "sign", {"code": "ZH-1"}, {"number": "5108"})]
        assert store.get("device_id") == 7
        # What the later layout added works at once.
        store.set_order_status("ZH20261201001", "accepted", "助老陪护")
        store.set_balance("5108", 12)
        assert store.order_status("ZH20261201001")["status"] == "accepted"
        assert store.balance("5108") == 12
        store.set_on_shift("5108", True, "张*", started_at=1_800_000_000.0)
        assert store.volunteer("5108")["shift_started_at"] == 1_800_000_000.0
    finally:
        store.close()
    assert _user_version(tmp_path) == VERSION


def test_opening_a_current_store_again_changes_nothing(tmp_path):
    store = Store(tmp_path)
    action = store.record("sign", {"code": "ZH-2"}, "2026-12-01T09:00:00+08:00", {})
    store.close()
    again = Store(tmp_path)
    try:
        assert [a.key for a in again.pending()] == [action.key]
    finally:
        again.close()
    assert _user_version(tmp_path) == VERSION


def test_a_store_written_by_a_newer_kiosk_is_refused_not_downgraded(tmp_path):
    db = sqlite3.connect(tmp_path / "kiosk.sqlite3")
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    with pytest.raises(StoreTooNew):
        Store(tmp_path)
    assert _user_version(tmp_path) == VERSION + 1
