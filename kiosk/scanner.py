"""The frame loop: its own thread, reads frames, decodes codes, hands each new one to the kiosk."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import qr
from qr import recover

log = logging.getLogger("kiosk.scanner")

MAX_WIDTH = 1280  # bigger frames are scaled down first: a card held up close needs no more


class Scanner(threading.Thread):
    """Reads `fps` frames a second; the same code is ignored for `repeat_seconds` after a read.

    Decoding uses qr.decode's default fast path on every frame. One frame in `fallback_every`
    is the expensive one: it also runs the fallback passes (sharpen, upscale, CLAHE: for
    blurred, far and dark cards) and, if they read nothing, one step of a `qr.recover.Schedule`
    (one recovery family in turn: defocus, curved, mesh, motion, each resuming its bank where it
    stopped) until `miss_budget_ms` from the frame's start. The other frames cost the cheap pass
    alone, so with nothing in view most frames stay cheap and none costs much more than the
    miss budget, and a card held up for a second still meets several recovery turns. When a
    frame's decode still overruns the per-frame budget the loop skips the next frames instead of
    queueing them, so the picture the kiosk decodes is always the newest one and the UI thread is
    never starved.
    """

    def __init__(
        self,
        source,
        on_code: Callable[[str], None],
        *,
        fps: float = 15.0,
        repeat_seconds: float = 5.0,
        budget_ms: float = 120.0,
        fallback_every: int = 3,
        miss_budget_ms: float = 60.0,
        recovery: bool = True,
        on_camera: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(name="kiosk-scanner", daemon=True)
        self.source = source
        self.on_code = on_code
        self.on_camera = on_camera or (lambda ok: None)
        self.interval = 1.0 / fps
        self.repeat_seconds = repeat_seconds
        self.budget = budget_ms / 1000
        self.fallback_every = max(1, fallback_every)
        self.miss_budget = miss_budget_ms / 1000
        self.recovery = recovery
        self.stopping = threading.Event()
        self.latest = None  # the newest frame, for the preview
        self.frames = 0
        self.decoded = 0
        self.schedule = recover.Schedule()
        self._seen: dict[str, float] = {}

    def in_view(self, text: str) -> bool:
        """Whether `text` was read within the repeat window: shown again now, it is taken for
        the same card still in front of the camera and not handed on."""
        last = self._seen.get(text)
        return last is not None and time.monotonic() - last < self.repeat_seconds

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

        started = time.monotonic()
        self.latest = frame
        self.frames += 1
        gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        if gray.shape[1] > MAX_WIDTH:
            scale = MAX_WIDTH / gray.shape[1]
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        fallback_frame = (self.frames - 1) % self.fallback_every == 0
        try:
            found = qr.decode(gray, fallbacks=fallback_frame, recover=False)
        except qr.QRError:
            return []
        if not found and fallback_frame and self.recovery and min(gray.shape) >= 21:
            found = self._recovery_step(gray, started + self.miss_budget)
        now = time.monotonic()
        handed = []
        for code in found:
            repeated = self.in_view(code.text)
            self._seen[code.text] = now
            if repeated:
                continue  # still the same card in front of the camera
            self.decoded += 1
            handed.append(code.text)
            self.on_code(code.text)
        if len(self._seen) > 256:
            self._seen = {t: s for t, s in self._seen.items() if now - s < self.repeat_seconds}
        return handed

    def _recovery_step(self, gray, deadline: float) -> list:
        """The next turn of the recovery schedule on this frame, stopped at the deadline."""
        return self.schedule.step(gray, deadline)
