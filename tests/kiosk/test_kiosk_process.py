"""`python -m kiosk` as a real process: enrolled by its camera, killed right after a
confirmation, restarted: the confirmed action is still there and reaches the server."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.fixtures.kiosk import camera_frame, empty_frame, wait_until, write_frame

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _state(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/state.json", timeout=2) as r:
            return json.loads(r.read())
    except OSError:
        return None


def _start(server: str, data: Path, camera: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--server", server, "--data-dir", str(data),
             "--source", str(camera), "--port", str(port), "--refresh", "1"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_killed_after_confirmation_keeps_the_action(tmp_path, proxy, live_backend,
                                                    make_volunteers, enrollment_code, db):
    from server.shifts.models import Shift
    from server.volunteers.models import Volunteer

    (number, name, url), = make_volunteers(1)
    camera, data, port, log = tmp_path / "camera", tmp_path / "data", _free_port(), \
        tmp_path / "kiosk.log"
    write_frame(camera, "a-enroll.png", camera_frame(enrollment_code(), seed=21))
    kiosk = _start(proxy.url, data, camera, port, log)
    try:
        wait_until(lambda: (_state(port) or {}).get("screen") == "idle", timeout=60,
                   message="the kiosk did not enroll from its camera: " + log.read_text())
        write_frame(camera, "b-room.png", empty_frame())
        (camera / "a-enroll.png").unlink()
        wait_until(lambda: (_state(port) or {}).get("online"), timeout=30)

        live_backend.stop()
        write_frame(camera, "c-card.png", camera_frame(url, seed=22))
        result = wait_until(lambda: ((_state(port) or {}).get("result") or {}), timeout=30,
                            interval=0.02)
        kiosk.send_signal(signal.SIGKILL)  # the power cut, right after the green screen
        kiosk.wait(10)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait(10)
    assert result["ok"] and result["title"] == "签到成功"

    with sqlite3.connect(data / "kiosk.sqlite3") as raw:
        rows = raw.execute("SELECT state, json_extract(display, '$.number') FROM outbox").fetchall()
    assert rows == [("pending", number)]

    (camera / "c-card.png").unlink()
    live_backend.start()
    kiosk = _start(proxy.url, data, camera, port, log)
    try:
        wait_until(lambda: (_state(port) or {}).get("pending") == 0 and
                   (_state(port) or {}).get("online"), timeout=60,
                   message="the restarted kiosk did not upload: " + log.read_text())
    finally:
        kiosk.send_signal(signal.SIGTERM)
        assert kiosk.wait(20) == 0
    db.session.rollback()
    shift = db.session.scalar(select(Shift).join(Volunteer).where(Volunteer.number == number))
    assert shift is not None and shift.is_open
