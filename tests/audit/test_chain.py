"""The audit log's hash chain: entries altered, removed or inserted afterwards are found, and
concurrent writers never fork the chain."""

from __future__ import annotations

import threading

from sqlalchemy import delete, func, insert, select, update

from server.core import audit
from server.core.audit import AuditChain, AuditEvent
from server.core.db import writing
from server.core.timeutil import utcnow


def _write(db, count, action="test.entry"):
    for i in range(count):
        with writing():
            audit.record(action, ("site", i), actor="tester", n=i, text="中文")
            db.session.commit()


def _ids(db):
    return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)).all()


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_entries_form_one_chain_that_verifies(db, runner):
    _write(db, 5)
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in zip(rows, rows[1:], strict=False))
    assert db.session.get(AuditChain, 1).entry_hash == rows[-1].entry_hash
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "5 entries" in result.output


def test_an_empty_log_verifies(db, runner):
    assert _verify(runner).exit_code == 0


def test_an_altered_entry_is_found(db, runner):
    _write(db, 5)
    target = _ids(db)[2]
    db.session.execute(update(AuditEvent).where(AuditEvent.id == target)
                       .values(details={"n": 99, "text": "中文"}))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entry {target} (position 3) was altered" in result.output


def test_a_removed_entry_is_found(db, runner):
    _write(db, 5)
    ids = _ids(db)
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == ids[1]))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entries before entry {ids[2]} (position 3) were removed" in result.output


def test_entries_removed_at_the_end_are_found(db, runner):
    _write(db, 4)
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == _ids(db)[-1]))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "entries at the end were removed" in result.output


def test_an_entry_inserted_outside_the_chain_is_found(db, runner):
    _write(db, 3)
    forged = db.session.execute(insert(AuditEvent).values(
        at=utcnow(), action="user.login", actor="nobody", details={}).returning(AuditEvent.id)
    ).scalar_one()
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entry {forged} is not in the chain" in result.output


def test_an_entry_inserted_into_the_chain_with_its_own_hash_is_found(db, runner):
    """A forger who knows the algorithm renumbers the later entries and links the forged one
    to its predecessor: the entry after it still names the predecessor."""
    _write(db, 4)
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    for row in reversed(rows[2:]):  # make room at position 3
        db.session.execute(update(AuditEvent).where(AuditEvent.id == row.id)
                           .values(seq=row.seq + 1))
    at = utcnow()
    digest = audit.content_digest(at, "user.login", None, "nobody", None, None, None, {})
    forged = db.session.execute(insert(AuditEvent).values(
        at=at, action="user.login", actor="nobody", details={}, seq=3,
        prev_hash=rows[1].entry_hash,
        entry_hash=audit.link_hash(3, rows[1].entry_hash, digest)).returning(AuditEvent.id)
    ).scalar_one()
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entry {forged} (position 3) was inserted" in result.output


def test_an_entry_appended_behind_the_chains_back_is_found(db, runner):
    _write(db, 2)
    last = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalar()
    at = utcnow()
    digest = audit.content_digest(at, "user.login", None, "nobody", None, None, None, {})
    forged = db.session.execute(insert(AuditEvent).values(
        at=at, action="user.login", actor="nobody", details={}, seq=3,
        prev_hash=last.entry_hash, entry_hash=audit.link_hash(3, last.entry_hash, digest))
        .returning(AuditEvent.id)).scalar_one()
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"entry {forged} (position 3) was added after" in result.output


def test_an_entry_rolled_back_with_its_savepoint_leaves_no_gap(db, runner):
    with writing():
        audit.record("test.kept")
        nested = db.session.begin_nested()
        audit.record("test.undone")
        nested.rollback()
        audit.record("test.kept")
        db.session.commit()
    assert db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all() == [1, 2]
    assert _verify(runner).exit_code == 0


def test_a_rolled_back_transaction_chains_nothing(db, runner):
    with writing():
        audit.record("test.undone")
        db.session.rollback()
        audit.record("test.kept")
        db.session.commit()
    assert db.session.scalars(select(AuditEvent.action)).all() == ["test.kept"]
    assert _verify(runner).exit_code == 0


def test_entries_written_before_the_chain_are_chained_by_the_command(db, runner):
    _write(db, 2)
    for i in range(3):
        db.session.execute(insert(AuditEvent).values(at=utcnow(), action="old.entry",
                                                     actor="", details={"i": i}))
    db.session.commit()
    assert _verify(runner).exit_code == 1
    result = runner.invoke(args=["audit", "chain"])
    assert "3 entries chained" in result.output
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "5 entries" in result.output


def test_concurrent_writers_keep_one_chain(app, db, runner, backend):
    """Threads with their own connections append at once (on PostgreSQL without any lock but
    the chain's own; on SQLite through the writer gate); every entry gets its own position and
    the chain verifies."""
    from server.extensions import db as session_db

    threads_count, per_thread = 8, 10
    barrier = threading.Barrier(threads_count)
    failures: list[str] = []

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                for j in range(per_thread):
                    audit.record("test.concurrent", ("site", i), n=j)
                    if j % 3 == 0:
                        audit.record("test.concurrent", ("site", i), n=j, second=True)
                    session_db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                failures.append(repr(error))
            finally:
                session_db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    total = threads_count * (per_thread + 4)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == total
    seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, total + 1))
    result = _verify(runner)
    assert result.exit_code == 0, result.output
