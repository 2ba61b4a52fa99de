"""The SQLite writer gate: writers queue on it instead of SQLite's sleeping busy handler."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import threading
import time

import pytest
from sqlalchemy import create_engine, exc, text

from server.core.db import GatedConnection, WriterGate, engine_options, writing


def _engine(path, timeout_ms=15000):
    return create_engine(f"sqlite:///{path}", **engine_options(f"sqlite:///{path}", timeout_ms))


@pytest.fixture
def engine(tmp_path):
    engine = _engine(tmp_path / "gate.sqlite3")
    with writing(), engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    yield engine
    engine.dispose()


def _bump(engine):
    with writing(), engine.begin() as conn:
        n = conn.execute(text("SELECT n FROM counter")).scalar_one()
        conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})


def test_concurrent_writers_all_succeed_and_none_is_lost(engine):
    errors = []

    def run():
        try:
            for _ in range(50):
                _bump(engine)
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        # Read-modify-write from 8 threads: only serialised writers keep every increment.
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 400


def test_a_rolled_back_writer_releases_the_gate(engine):
    with pytest.raises(RuntimeError), writing(), engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = 99"))
        raise RuntimeError("refused")
    done = threading.Event()
    threading.Thread(target=lambda: (_bump(engine), done.set())).start()
    assert done.wait(5), "the next writer waited on a gate nobody holds"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 1


def test_readers_do_not_take_the_gate(engine):
    with engine.connect() as conn:
        with writing():
            transaction = conn.begin()
        conn.execute(text("UPDATE counter SET n = 5"))
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, GatedConnection) and raw.holds_gate
        # A plain reader on another connection is not queued behind the writer (WAL).
        with engine.connect() as reader:
            assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 0
        transaction.commit()
        assert not raw.holds_gate


def test_a_second_write_connection_in_the_same_thread_fails_instead_of_hanging(tmp_path):
    engine = _engine(tmp_path / "self.sqlite3", timeout_ms=300)
    with writing(), engine.begin() as first:
        first.execute(text("CREATE TABLE t (n INTEGER)"))
        started = time.monotonic()
        with pytest.raises(exc.OperationalError, match="locked"), engine.begin() as second:
            second.execute(text("INSERT INTO t VALUES (1)"))
        assert time.monotonic() - started < 5
    engine.dispose()


def _hold_and_wait(path, ready):
    engine = _engine(path)
    with writing(), engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = 42"))
        ready.set()
        time.sleep(60)


def test_a_writer_killed_while_holding_the_gate_does_not_block_the_others(engine, tmp_path):
    ready = multiprocessing.get_context("fork").Event()
    child = multiprocessing.get_context("fork").Process(
        target=_hold_and_wait, args=(tmp_path / "gate.sqlite3", ready))
    child.start()
    try:
        assert ready.wait(20)
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        started = time.monotonic()
        _bump(engine)  # the kernel dropped the dead writer's flock; SQLite its lock
        assert time.monotonic() - started < 5
    finally:
        if child.is_alive():
            child.kill()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 1  # 42 never landed


def _take_gate_in_child(path, probed, found_held, released, got_it_after_release):
    gate = WriterGate.for_database(str(path))
    # First a look without waiting: the parent's writer holds the lock file, across processes.
    probe = os.open(gate.path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        found_held.value = 1
    else:
        fcntl.flock(probe, fcntl.LOCK_UN)
    finally:
        os.close(probe)
    probed.set()
    gate.acquire(timeout=5)  # not the parent's thread lock (held at the fork): its own
    got_it_after_release.value = int(released.is_set())
    gate.release()


def test_a_worker_forked_while_a_thread_holds_the_gate_gets_its_own(tmp_path):
    # gunicorn forks workers; a thread of the parent may hold the gate at that moment. (Only
    # the gate: SQLite itself must not be inside a transaction across a fork.)
    context = multiprocessing.get_context("fork")
    path = tmp_path / "fork.sqlite3"
    gate = WriterGate.for_database(str(path))
    holding, release = threading.Event(), threading.Event()
    probed, released = context.Event(), context.Event()
    found_held, got_it_after_release = context.Value("i", 0), context.Value("i", 0)

    def hold():
        gate.acquire(timeout=5)
        holding.set()
        release.wait(20)
        released.set()  # before the release: the child cannot get the gate earlier
        gate.release()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    child = context.Process(target=_take_gate_in_child,
                            args=(path, probed, found_held, released, got_it_after_release))
    child.start()
    assert probed.wait(20)
    release.set()
    holder.join(10)
    child.join(20)
    assert child.exitcode == 0
    assert found_held.value == 1  # the child saw the parent's writer holding the gate
    assert got_it_after_release.value == 1  # and got its own turn only once it was released


def test_without_a_usable_lock_file_writers_fall_back_to_the_busy_timeout(tmp_path, caplog):
    path = tmp_path / "fallback.sqlite3"
    # The lock file's place is taken by a link to nowhere it can be made.
    os.symlink("/nonexistent-dir/lock", f"{path}.writer-lock")
    engine = _engine(path)
    with writing(), engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    threads = [threading.Thread(target=lambda: [_bump(engine) for _ in range(20)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 80
    assert "no SQLite writer gate" in caplog.text
    engine.dispose()
