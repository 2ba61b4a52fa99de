"""The frame loop: its own thread, reads frames, decodes codes, hands each new one to the kiosk."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import qr

log = logging.getLogger("kiosk.scanner")

MAX_WIDTH = 1280  # bigger frames are scaled down first: a card held up close needs no more


class Scanner(threading.Thread):
    """Reads `fps` frames a second; the same code is ignored for `repeat_seconds` after a read.

    Decoding uses qr.decode's default fast path on every frame, and its fallback passes
    (sharpen, upscale, CLAHE: for blurred, far and dark cards) on one frame in `fallback_every`:
    with nothing in view they are most of the idle loop's cost, and a card held up for a
    fifth of a second still gets them. When a frame's decode overruns the per-frame budget
    the loop skips the next frames instead of queueing them, so the picture the kiosk decodes
    is always the newest one and the UI thread is never starved.
    """

    def __init__(self, source, on_code: Callable[[str], None], *, fps: float = 15.0,
                 repeat_seconds: float = 5.0, budget_ms: float = 120.0,
                 fallback_every: int = 3,
                 on_camera: Callable[[bool], None] | None = None) -> None:
        super().__init__(name="kiosk-scanner", daemon=True)
        self.source = source
        self.on_code = on_code
        self.on_camera = on_camera or (lambda ok: None)
        self.interval = 1.0 / fps
        self.repeat_seconds = repeat_seconds
        self.budget = budget_ms / 1000
        self.fallback_every = max(1, fallback_every)
        self.stopping = threading.Event()
        self.latest = None  # the newest frame, for the preview
        self.frames = 0
        self.decoded = 0
        self._seen: dict[str, float] = {}

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        backoff = 0.5
        camera_ok: bool | None = None
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                frame = self.source.read()
            except Exception:  # a driver error is the same as an unplugged camera
                log.exception("frame source failed")
                frame = None
            if frame is None:
                if camera_ok is not False:
                    camera_ok = False
                    self.on_camera(False)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                try:
                    self.source.reopen()
                except Exception:
                    log.exception("reopening the frame source failed")
                continue
            backoff = 0.5
            if camera_ok is not True:
                camera_ok = True
                self.on_camera(True)
            self.process(frame)
            spent = time.monotonic() - started
            if spent > self.budget:
                # Over budget: let the next frames go by rather than fall behind.
                skip = int(spent / self.interval)
                for _ in range(min(skip, 15)):
                    self.source.read()
            self.stopping.wait(max(0.0, self.interval - spent))

    def process(self, frame) -> list[str]:
        """Decode one frame and hand on codes not seen lately; the texts handed on."""
        import cv2

        self.latest = frame
        self.frames += 1
        gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        if gray.shape[1] > MAX_WIDTH:
            scale = MAX_WIDTH / gray.shape[1]
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        try:
            found = qr.decode(gray, fallbacks=(self.frames - 1) % self.fallback_every == 0)
        except qr.QRError:
            return []
        now = time.monotonic()
        handed = []
        for code in found:
            last = self._seen.get(code.text)
            self._seen[code.text] = now
            if last is not None and now - last < self.repeat_seconds:
                continue  # still the same card in front of the camera
            self.decoded += 1
            handed.append(code.text)
            self.on_code(code.text)
        if len(self._seen) > 256:
            self._seen = {t: s for t, s in self._seen.items() if now - s < self.repeat_seconds}
        return handed
