"""Kiosk fixtures: the real server over HTTP (behind a proxy that can drop connections), volunteers
with live codes, enrollment codes, and camera frames of volunteer cards."""

from __future__ import annotations

import random
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest
from werkzeug.serving import make_server

from tests.imaging import photograph


class Backend:
    """The Flask app on a loopback port in a thread; stop() and start() like a server restart."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = None
        self.thread = None
        self.last_port = 0

    def start(self) -> None:
        """Listen again on the same port after a stop, as a restarted server would."""
        self.server = make_server("127.0.0.1", self.last_port, self.app, threaded=True)
        self.last_port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int | None:
        return self.server.server_port if self.server else None

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.thread.join()
            self.server.server_close()
            self.server = None


class Proxy:
    """A TCP proxy the kiosks talk to: forwards to the backend, or drops connections.

    `drop` is the chance of cutting a connection, half the time before the request reaches the
    server and half the time after the server answered but before the kiosk hears it (the case
    that makes idempotent retries matter). With the backend stopped every connection is cut.
    """

    def __init__(self, backend: Backend, seed: int = 5) -> None:
        self.backend = backend
        self.drop = 0.0
        self.rng = random.Random(seed)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.dropped = 0
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        port = self.backend.port
        roll = self.rng.random()
        with conn:
            if port is None or roll < self.drop / 2:
                self.dropped += port is not None
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
            except OSError:
                return
            with upstream:
                cut_answer = roll < self.drop
                self._pump(conn, upstream, cut_answer)

    def _pump(self, conn, upstream, cut_answer: bool) -> None:
        conn.settimeout(10)
        upstream.settimeout(10)
        # One request per connection: urllib sends "Connection: close".
        request = b""
        try:
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            head, _, body = request.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            upstream.sendall(head + b"\r\n\r\n" + body)
            answer = b""
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                answer += chunk
            if cut_answer:
                self.dropped += 1
                return  # the server did the work; the kiosk never hears of it
            conn.sendall(answer)
        except OSError:
            return

    def close(self) -> None:
        self.closing = True
        self.sock.close()


@contextmanager
def written(db):
    """Write from the test while the server runs: a fresh BEGIN IMMEDIATE, then commit."""
    from server.core.db import writing

    db.session.rollback()
    with writing():
        yield
        db.session.commit()


@pytest.fixture
def live_backend(app):
    server = Backend(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def proxy(live_backend):
    p = Proxy(live_backend)
    yield p
    p.close()


@pytest.fixture
def make_volunteers(db, network):
    """make_volunteers(n, site=None) -> [(number, masked name, code URL)], committed."""
    from server.codes.operations import code_url
    from server.volunteers import operations as vops

    def make(n, site=None, names=("张明华", "李秀英", "王建国", "赵小红", "陈志强")):
        out = []
        with written(db):
            for i in range(n):
                v = vops.create_volunteer(name=names[i % len(names)], phone=f"1380000{i:04d}",
                                          site=site or network["library"])
                out.append((v.number, v.masked_name, code_url(vops.volunteer_code(v))))
        return out

    return make


@pytest.fixture
def enrollment_code(db, network):
    """enrollment_code(site=None) -> the URL in a fresh one-time enrollment QR."""
    from server.codes.operations import code_url
    from server.devices.operations import create_enrollment

    def make(site=None):
        with written(db):
            _, code = create_enrollment(site or network["library"])
            url = code_url(code)
        return url

    return make


def camera_frame(text: str, seed: int = 1, size=(1280, 720)) -> np.ndarray:
    """A 1280x720 camera frame of a volunteer card (qr.card_png) held up: warped, blurred, noisy."""
    import qr

    card = qr.Card(name="张明华", number="5108", team="昭化区志愿服务总队", url=text,
                   version_label="码版本 v1")
    page = cv2.imdecode(np.frombuffer(qr.card_png(card, dpi=150), np.uint8), cv2.IMREAD_COLOR)
    photo = photograph(page, np.random.default_rng(seed))
    w, h = size
    scale = min(w * 0.8 / photo.shape[1], h * 0.9 / photo.shape[0])
    photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((h, w, 3), (70, 80, 90), np.uint8)
    y, x = (h - photo.shape[0]) // 2, (w - photo.shape[1]) // 2
    frame[y:y + photo.shape[0], x:x + photo.shape[1]] = photo
    return frame


def empty_frame(seed: int = 0, size=(1280, 720)) -> np.ndarray:
    """A room with nobody holding anything up."""
    rng = np.random.default_rng(seed)
    w, h = size
    frame = rng.normal(110, 25, (h, w, 3)).clip(0, 255).astype(np.uint8)
    return cv2.GaussianBlur(frame, (0, 0), 4)


def write_frame(folder: Path, name: str, frame: np.ndarray) -> Path:
    """Write atomically, so the kiosk's folder source never reads half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp.png"
    cv2.imwrite(str(tmp), frame)
    path = folder / name
    tmp.replace(path)
    return path


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or "condition not met in time")
