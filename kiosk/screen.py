"""What the touchscreen shows now: the frame loop and sync worker write it, the UI reads it."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    """One scan outcome for the full-screen green or red page."""

    id: int
    ok: bool
    title: str
    name: str = ""
    detail: str = ""
    at: float = field(default_factory=time.time)  # kiosk clock, for the screen's own timeout
    clock: str = ""  # the time shown on screen (server-corrected, Beijing time)
    say: list[str] = field(default_factory=list)  # spoken parts (kiosk.speech), never a name


class Screen:
    """Thread-safe: a version number lets the page and tests wait for a change."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self.version = 0
        self.result: Result | None = None
        self.camera_ok: bool | None = None  # None: not tried yet
        self.online: bool | None = None
        self.message = ""  # a transient line (enrollment progress, errors)
        self.note = ""  # the server saw a scan differently from what the screen said
        self.note_at = 0.0
        self.prompt: dict | None = None  # a scan that opens a touchscreen question
        self.closing = False  # the program is stopping: waiting pages are let go

    def show(self, ok: bool, title: str, name: str = "", detail: str = "",
             clock: str = "", say: list[str] | None = None) -> Result:
        with self._cond:
            self.result = Result(next(self._ids), ok, title, name, detail, clock=clock,
                                 say=list(say or []))
            self._bump()
            return self.result

    def set(self, **values) -> None:
        with self._cond:
            changed = any(getattr(self, k) != v for k, v in values.items())
            for name, value in values.items():
                setattr(self, name, value)
            if changed:
                self._bump()

    def bump(self) -> None:
        """Something the page counts changed (the queue): let waiting pages ask again."""
        with self._cond:
            self._bump()

    def correct(self, text: str) -> None:
        with self._cond:
            self.note, self.note_at = text, time.time()
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self._cond.notify_all()

    def wait_for(self, version: int, timeout: float) -> int:
        """Block until the version passes `version` (or timeout); the new version."""
        with self._cond:
            self._cond.wait_for(lambda: self.version > version or self.closing, timeout)
            return self.version

    def close(self) -> None:
        with self._cond:
            self.closing = True
            self._cond.notify_all()

    def result_dict(self) -> dict | None:
        with self._cond:
            return asdict(self.result) if self.result else None
