"""The kiosk's decisions: enroll from a scanned code, verify volunteer codes offline, queue."""

from __future__ import annotations

import base64
import logging
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import qr
import qr.presence
from qr import contract

from . import messages, speech
from .client import Client, Offline, Refused
from .flows import Flows
from .screen import Screen
from .store import Revoked, Store

log = logging.getLogger("kiosk")

APP_VERSION = "0.1.0"
BEIJING = timezone(timedelta(hours=8))
CODE_MAX = 2000  # the server refuses longer scan texts; nothing we issue comes close
DEFAULT_VOLUME = 80  # of 100; each kiosk keeps its own (python -m kiosk --volume / --mute)
# The server treats a second read of the same card within the window as no action (debounce);
# so does the kiosk, showing the first result again instead of signing straight back out.
DEBOUNCE_SECONDS = contract.DEBOUNCE_SECONDS


class Kiosk:
    def __init__(self, server: str, data_dir: str, *, lang: str = "zh",
                 name: str = "") -> None:
        self.store = Store(data_dir)
        self.server = server.rstrip("/")
        self.lang = lang
        self.name = name
        self.words = messages.table(lang)
        self.screen = Screen()
        self._keyring: qr.Keyring | None = None
        self._recent: dict[str, tuple[float, str]] = {}  # number -> (monotonic, direction)
        self._sign_lock = threading.Lock()
        self.debounce_seconds = DEBOUNCE_SECONDS
        self.sync_wakeup = None  # set by the sync worker: a threading.Event to nudge it
        self.refresh_due = False  # a code signed with a key we lack: fetch keys at once
        self.flows = Flows(self)

    # ---- identity and time ------------------------------------------------------------------

    @property
    def is_enrolled(self) -> bool:
        return self.store.is_enrolled

    @property
    def is_revoked(self) -> bool:
        return bool(self.store.get("revoked"))

    def client(self) -> Client:
        return Client(self.server, self.store.get("secret"), version=APP_VERSION)

    def now(self) -> float:
        """Kiosk clock corrected by the offset measured against the server."""
        return time.time() + self.store.get("clock_offset", 0.0)

    def keyring(self) -> qr.Keyring:
        if self._keyring is None:
            self._keyring = qr.Keyring.from_keys(self.store.get("keys", []))
        return self._keyring

    def set_keys(self, jwks: list[dict]) -> None:
        ring = qr.Keyring.from_keys(jwks)  # refuse a malformed set before storing it
        self.store.put(keys=jwks)
        self._keyring = ring

    def presence_url(self) -> str | None:
        if not self.is_enrolled or self.is_revoked:
            return None
        text = self.store.get("presence_secret")
        secret = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return qr.presence.presence_url(self.store.get("base_url"),
                                        int(self.store.get("device_id")),
                                        qr.presence.step_at(self.now()), secret)

    def clock_text(self) -> str:
        return datetime.fromtimestamp(self.now(), BEIJING).strftime("%H:%M")

    # ---- scans ------------------------------------------------------------------------------

    def on_scan(self, text: str) -> None:
        """Called by the frame loop for each new code read; never raises."""
        try:
            if self.is_revoked:
                return  # a revoked kiosk accepts nothing
            if not self.is_enrolled:
                self.enroll(text)
            elif not self.flows.route(text):
                self.sign(text)
        except Exception:  # the frame loop must survive any single bad scan
            log.exception("scan handling failed")

    def enroll(self, text: str) -> bool:
        self.screen.set(message=self.words["enrolling"])
        try:
            client = Client(self.server, version=APP_VERSION)
            answer = client.enroll(text[:CODE_MAX], self.name, APP_VERSION)
            self.apply_enrollment(answer)
        except Refused as exc:
            reason = exc.error.get("message") or exc.code
            self.screen.set(message=self.words["enroll_failed"] % reason)
            return False
        except Offline:
            self.screen.set(message=self.words["enroll_failed"] % self.words["offline"].split(
                "，")[0])
            return False
        self.screen.set(message="")
        if self.sync_wakeup is not None:
            self.sync_wakeup.set()
        return True

    def apply_enrollment(self, answer: dict) -> None:
        self.set_keys(answer.get("keys", []))
        if "server_time_ms" in answer:
            self.store.put(clock_offset=round(answer["server_time_ms"] / 1000 - time.time(), 3))
        # The revocation list is read from the start (cursor 0), not from the enrollment's
        # cursor: codes withdrawn before this kiosk existed must be refused too.
        self.store.put(device_id=int(answer["device_id"]), secret=answer["secret"],
                       presence_secret=answer["presence_secret"], site=answer["site"],
                       base_url=answer.get("base_url") or self.server, revoked=False,
                       revocation_cursor=0, volunteer_cursor=0)

    def sign(self, text: str) -> None:
        """Verify a volunteer code offline, commit the action, then tell the screen."""
        text = text[:CODE_MAX]
        now = self.now()
        clock = datetime.fromtimestamp(now, BEIJING).strftime("%H:%M")
        client_time = datetime.fromtimestamp(time.time(), UTC).isoformat()
        try:
            payload = qr.verify(text, self.keyring(), expected_type="volunteer",
                                base_url=self.store.get("base_url"),
                                revoked=Revoked(self.store), now=int(now))
        except qr.CodeError as exc:
            if exc.reason == "unknown_key":
                self.refresh_due = True
            # Refused scans are uploaded too, so the server's audit log sees forgeries.
            display = {"ok": False, "reason": exc.reason}
            self.store.record("sign", {"code": text}, client_time, display)
            self._nudge()
            key = messages.reason_key(exc.reason)
            self.screen.show(False, self.words["refused"], detail=self.words[key], clock=clock,
                             say=["refused", *speech.reason_parts(key)])
            return
        number = payload.subject
        known = self.store.volunteer(number) or {}
        name = known.get("masked_name") or f"{self.words['volunteer']} {_mask(number)}"
        stale = known.get("code_version") is not None and payload.version < known["code_version"]
        if stale or not known.get("is_active", 1):
            reason = "revoked" if stale else "volunteer_inactive"
            self.store.record("sign", {"code": text}, client_time,
                              {"ok": False, "reason": reason, "number": number})
            self._nudge()
            key = messages.reason_key(reason)
            self.screen.show(False, self.words["refused"], name=name, detail=self.words[key],
                             clock=clock, say=["refused", *speech.reason_parts(key)])
            return
        with self._sign_lock:
            recent = self._recent.get(number)
            if recent is not None and time.monotonic() - recent[0] < self.debounce_seconds:
                direction = recent[1]  # the same card again: no new action
            else:
                direction = "out" if known.get("is_on_shift") else "in"
                # The server decides in or out (it toggles); the kiosk's guess is for the screen.
                display = {"ok": True, "number": number, "name": name, "direction": direction}
                self.store.record("sign", {"code": text}, client_time, display,
                                  on_shift=(number, direction == "in"))
                self._recent[number] = (time.monotonic(), direction)
                self._nudge()
        title = self.words["signed_in" if direction == "in" else "signed_out"]
        say, details = [f"signed_{direction}"], []
        # The sign-out says how long the service was: from when the shift began, wherever it
        # began (this kiosk's sign-in, or the server's list of who is signed in here).
        began = known.get("shift_started_at") or known.get("last_action_at")
        if direction == "out" and known.get("is_on_shift") and began:
            minutes = max(int((time.time() - began) // 60), 0)
            details.append(self.words["service_took"] % duration_text(minutes, self.lang))
            say += ["service_took", *speech.duration_parts(minutes)]
        # Offline, the revocation list may be older than a withdrawn card: say so.
        if self.screen.online is False:
            details.append(self.words["accepted_offline"])
            say.append("accepted_offline")
        self.screen.show(True, title, name=name, detail="\n".join(details), clock=clock, say=say)

    def _nudge(self) -> None:
        if self.sync_wakeup is not None:
            self.sync_wakeup.set()

    # ---- what the page shows ----------------------------------------------------------------

    def status(self) -> dict:
        site = self.store.get("site") or {}
        if not self.is_enrolled:
            screen = "enroll"
        elif self.is_revoked:
            screen = "revoked"
        else:
            screen = "idle"
        pending = self.store.count("pending")
        return {
            "version": self.screen.version,
            "screen": screen,
            "site": site.get("name", ""),
            "camera_ok": self.screen.camera_ok,
            "online": self.screen.online,
            "pending": pending,
            "needs_admin": self.store.count_needs_admin(),
            "message": self.screen.message,
            # Shown for a minute: long enough for the volunteer still standing there to read it.
            "note": self.screen.note if time.time() - self.screen.note_at < 60 else "",
            "result": self.screen.result_dict() if screen == "idle" else None,
            "step": qr.presence.step_at(self.now()),
            "clock": self.clock_text(),
            "prompt": self.screen.prompt if screen == "idle" else None,
            "can_order": screen == "idle" and bool(self.store.get("menu")),
            "can_redeem": screen == "idle" and bool(self.store.get("catalog")),
            "activities": [],  # upcoming activities: shown once the server provides them
            "sound": self.sound(),
        }

    # ---- the voice ----------------------------------------------------------------------------

    def sound(self) -> dict:
        """This kiosk's volume (0–100) and mute switch, kept in its store."""
        saved = self.store.get("sound") or {}
        return {"volume": int(saved.get("volume", DEFAULT_VOLUME)),
                "muted": bool(saved.get("muted", False))}

    def set_sound(self, *, volume: int | None = None, muted: bool | None = None) -> dict:
        sound = self.sound()
        if volume is not None:
            if not 0 <= int(volume) <= 100:
                raise ValueError("volume is 0 to 100")
            sound["volume"] = int(volume)
        if muted is not None:
            sound["muted"] = bool(muted)
        self.store.put(sound=sound)
        self.screen.bump()
        return sound


def duration_text(minutes: int, lang: str = "zh") -> str:
    """80 → "1小时20分钟" (or "1 h 20 min"); under a minute says so."""
    words = messages.table(lang)
    hours, rest = divmod(max(int(minutes), 0), 60)
    if not hours and not rest:
        return words["under_minute"]
    parts = ([words["hours_part"] % hours] if hours else []) + \
        ([words["minutes_part"] % rest] if rest else [])
    return words["duration_join"].join(parts)


def _mask(number: str) -> str:
    return number[:2] + "*" * max(len(number) - 4, 1) + number[-2:] if len(number) > 4 else number
