"""The kiosk's local SQLite file: identity, keys, revocations, volunteer cache and the outbox."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The store's layout as ordered upgrade steps; `PRAGMA user_version` is the last one applied.
#: A store is brought up to date when opened, one step per transaction, so a kiosk in the field
#: upgrades in place and keeps its queued actions. Append steps; never edit a released one.
#: Stores written before versioning (user_version 0) hold some prefix of these tables, made by
#: CREATE … IF NOT EXISTS; the steps are written so that running them on such a store is safe.
UPGRADES: tuple[str, ...] = (
    # 1: identity, keys and revocations, the volunteer cache and the outbox.
    """
CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revocation (code_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS volunteer (
    number TEXT PRIMARY KEY,
    masked_name TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    code_version INTEGER,
    -- The kiosk's own idea, from its actions and the server's answers: the feed does not say.
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
""",
    # 2: what the kiosk last heard of orders and balances (the ordering and redeeming screens).
    """
-- What the kiosk last heard of an order (from its own actions' answers or a status lookup):
-- it decides whether a scanned order code asks for completion or for a rating.
CREATE TABLE IF NOT EXISTS order_status (
    number TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    service TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
);
-- A volunteer's points as the server last said (after a redemption here): shown, never trusted.
CREATE TABLE IF NOT EXISTS balance (
    number TEXT PRIMARY KEY,
    points INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
""",
    # 3: when the open shift began (epoch seconds), wherever it began: from this kiosk's own
    # sign-in, the server's answers, or the changes poll's list of who is signed in here.
    """
ALTER TABLE volunteer ADD COLUMN shift_started_at REAL;
""",
)
VERSION = len(UPGRADES)


class StoreTooNew(RuntimeError):
    """The store was written by a newer kiosk program: it is never downgraded in place."""


def upgrade(db: sqlite3.Connection) -> int:
    """Apply the steps the store lacks, each with its version in one transaction; the version."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > VERSION:
        raise StoreTooNew(f"kiosk store is at layout {version}, this program knows {VERSION}")
    for number, step in enumerate(UPGRADES[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(step):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number:d}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return VERSION


def _statements(script: str) -> list[str]:
    """A step's statements (executescript would commit on its own, outside the transaction)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


# Settings written at enrollment; their presence is what "enrolled" means.
IDENTITY = ("device_id", "secret", "presence_secret", "site", "base_url")


@dataclass(frozen=True)
class Action:
    seq: int
    key: str
    kind: str
    body: dict
    client_time: str
    display: dict
    state: str
    attempts: int
    answer: dict | None

    def wire(self) -> dict:
        """The action as POST /api/v1/kiosk/actions wants it."""
        return {"key": self.key, "kind": self.kind, "client_time": self.client_time,
                "body": self.body}


class Store:
    """One connection guarded by a lock: the frame loop, the sync worker and the UI share it.

    WAL with synchronous=FULL: a row is on disk when commit returns, so a confirmation the
    screen shows survives the process being killed (or the power cut) right after.
    """

    def __init__(self, data_dir: str | Path) -> None:
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "kiosk.sqlite3"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                   timeout=15)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        try:
            upgrade(self._db)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return cur

    def _read(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # ---- settings -------------------------------------------------------------------------

    def get(self, name: str, default: Any = None) -> Any:
        rows = self._read("SELECT value FROM setting WHERE name = ?", (name,))
        return json.loads(rows[0]["value"]) if rows else default

    def put(self, **values: Any) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for name, value in values.items():
                    self._db.execute("INSERT INTO setting (name, value) VALUES (?, ?) "
                                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                                     (name, json.dumps(value, ensure_ascii=False)))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @property
    def is_enrolled(self) -> bool:
        return all(self.get(name) is not None for name in IDENTITY)

    # ---- revocations and volunteers ---------------------------------------------------------

    def add_revocations(self, code_ids: list[str], cursor: int) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO revocation (code_id) VALUES (?)",
                                 [(c,) for c in code_ids])
            self._db.execute("INSERT INTO setting (name, value) VALUES ('revocation_cursor', ?) "
                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                             (json.dumps(cursor),))
            self._db.execute("COMMIT")

    def is_revoked(self, code_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM revocation WHERE code_id = ?", (code_id,)))

    def update_volunteers(self, entries: list[dict], cursor: int, full: bool) -> None:
        """Apply the server's feed: a full list replaces the cache, a partial one upserts.

        Who is on shift is the kiosk's own knowledge and survives a replacement.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if full:
                    numbers = [e["number"] for e in entries]
                    self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (number TEXT)")
                    self._db.execute("DELETE FROM keep")
                    self._db.executemany("INSERT INTO keep VALUES (?)", [(n,) for n in numbers])
                    self._db.execute("DELETE FROM volunteer WHERE number NOT IN "
                                     "(SELECT number FROM keep) AND last_action_at IS NULL")
                self._db.executemany(
                    "INSERT INTO volunteer (number, masked_name, is_active, code_version) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET "
                    "masked_name = excluded.masked_name, is_active = excluded.is_active, "
                    "code_version = excluded.code_version",
                    [(e["number"], e.get("name") or "", int(bool(e.get("active", True))),
                      e.get("code_version")) for e in entries])
                self._db.execute(
                    "INSERT INTO setting (name, value) VALUES ('volunteer_cursor', ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (json.dumps(cursor),))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def volunteer(self, number: str) -> dict | None:
        rows = self._read("SELECT * FROM volunteer WHERE number = ?", (number,))
        return dict(rows[0]) if rows else None

    def has_pending_for(self, number: str) -> bool:
        return bool(self._read("SELECT 1 FROM outbox WHERE state = 'pending' AND "
                               "json_extract(display, '$.number') = ? LIMIT 1", (number,)))

    def set_on_shift(self, number: str, on_shift: bool, masked_name: str | None = None,
                     started_at: float | None = None) -> None:
        """The server's word on one volunteer (a sign's answer): on shift since `started_at`
        (kept as it was when not given), or not."""
        self._write("INSERT INTO volunteer (number, masked_name, is_on_shift, shift_started_at) "
                    "VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (number) DO UPDATE SET is_on_shift = excluded.is_on_shift, "
                    "masked_name = COALESCE(NULLIF(excluded.masked_name, ''), "
                    "volunteer.masked_name), shift_started_at = CASE WHEN "
                    "excluded.is_on_shift = 0 THEN NULL ELSE COALESCE("
                    "excluded.shift_started_at, volunteer.shift_started_at) END",
                    (number, masked_name or "", int(on_shift), started_at))

    def sync_on_shift(self, entries: list[tuple[str, float]], complete: bool = True) -> None:
        """The server's list of who is signed in at this site, (number, started_at) pairs. A
        volunteer with an action still waiting to be uploaded keeps the kiosk's own idea (the
        list was made before the server saw it); with `complete`, those absent are off shift."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                waiting = {row[0] for row in self._db.execute(
                    "SELECT DISTINCT json_extract(display, '$.number') FROM outbox "
                    "WHERE state = 'pending'")}
                listed = [(n, t) for n, t in entries if n not in waiting]
                if complete:
                    self._db.execute("CREATE TEMP TABLE IF NOT EXISTS listed (number TEXT)")
                    self._db.execute("DELETE FROM listed")
                    self._db.executemany("INSERT INTO listed VALUES (?)",
                                         [(n,) for n, _ in entries] +
                                         [(n,) for n in waiting if n])
                    self._db.execute("UPDATE volunteer SET is_on_shift = 0, "
                                     "shift_started_at = NULL WHERE is_on_shift = 1 AND "
                                     "number NOT IN (SELECT number FROM listed)")
                self._db.executemany(
                    "INSERT INTO volunteer (number, is_on_shift, shift_started_at) "
                    "VALUES (?, 1, ?) ON CONFLICT (number) DO UPDATE SET is_on_shift = 1, "
                    "shift_started_at = excluded.shift_started_at", listed)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ---- orders and balances seen ---------------------------------------------------------

    def set_order_status(self, number: str, status: str, service: str = "") -> None:
        self._write("INSERT INTO order_status (number, status, service, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET "
                    "status = excluded.status, updated_at = excluded.updated_at, "
                    "service = COALESCE(NULLIF(excluded.service, ''), order_status.service)",
                    (number, status, service, time.time()))

    def order_status(self, number: str) -> dict | None:
        rows = self._read("SELECT * FROM order_status WHERE number = ?", (number,))
        return dict(rows[0]) if rows else None

    def set_balance(self, number: str, points: int) -> None:
        self._write("INSERT INTO balance (number, points, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (number) DO UPDATE SET points = excluded.points, "
                    "updated_at = excluded.updated_at", (number, int(points), time.time()))

    def balance(self, number: str) -> int | None:
        rows = self._read("SELECT points FROM balance WHERE number = ?", (number,))
        return rows[0]["points"] if rows else None

    # ---- the outbox -------------------------------------------------------------------------

    def record(self, kind: str, body: dict, client_time: str, display: dict,
               *, on_shift: tuple[str, bool] | None = None) -> Action:
        """Commit an action (and the kiosk's new idea of who is on shift) in one transaction."""
        key, now = uuid.uuid4().hex, time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    "INSERT INTO outbox (key, kind, body, client_time, created_at, display) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, kind, json.dumps(body, ensure_ascii=False), client_time, time.time(),
                     json.dumps(display, ensure_ascii=False)))
                if on_shift is not None:
                    number, flag = on_shift
                    self._db.execute(
                        "INSERT INTO volunteer (number, is_on_shift, last_action_at, "
                        "shift_started_at) VALUES (?, ?, ?, ?) ON CONFLICT (number) DO UPDATE "
                        "SET is_on_shift = excluded.is_on_shift, "
                        "last_action_at = excluded.last_action_at, "
                        "shift_started_at = excluded.shift_started_at",
                        (number, int(flag), now, now if flag else None))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return Action(cur.lastrowid, key, kind, body, client_time, display, "pending", 0, None)

    def pending(self, limit: int = 100) -> list[Action]:
        return [_action(r) for r in self._read(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,))]

    def actions(self, state: str | None = None, limit: int = 50) -> list[Action]:
        if state is None:
            rows = self._read("SELECT * FROM outbox ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            rows = self._read("SELECT * FROM outbox WHERE state = ? ORDER BY seq DESC LIMIT ?",
                              (state, limit))
        return [_action(r) for r in rows]

    def action(self, key: str) -> Action | None:
        rows = self._read("SELECT * FROM outbox WHERE key = ?", (key,))
        return _action(rows[0]) if rows else None

    def count_needs_admin(self) -> int:
        """Confirmed on screen, then refused by the server: someone was told something wrong."""
        return self._read("SELECT count(*) AS n FROM outbox WHERE state = 'refused' "
                          "AND json_extract(display, '$.ok') = 1")[0]["n"]

    def count(self, state: str) -> int:
        return self._read("SELECT count(*) AS n FROM outbox WHERE state = ?", (state,))[0]["n"]

    def bump_attempts(self, keys: list[str]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE key = ?",
                                 [(k,) for k in keys])
            self._db.execute("COMMIT")

    def settle(self, key: str, state: str, answer: dict) -> bool:
        """Apply the server's answer once: False when it was already applied (a retried upload)."""
        cur = self._write("UPDATE outbox SET state = ?, answer = ?, answered_at = ? "
                          "WHERE key = ? AND state = 'pending'",
                          (state, json.dumps(answer, ensure_ascii=False), time.time(), key))
        return cur.rowcount == 1


class Revoked:
    """A `revoked=` container for qr.verify that asks the local table (no set in memory)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __contains__(self, code_id: object) -> bool:
        return isinstance(code_id, str) and self.store.is_revoked(code_id)


def _action(row: sqlite3.Row) -> Action:
    return Action(row["seq"], row["key"], row["kind"], json.loads(row["body"]),
                  row["client_time"], json.loads(row["display"]), row["state"], row["attempts"],
                  json.loads(row["answer"]) if row["answer"] else None)
