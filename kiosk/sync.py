"""The sync worker: uploads the outbox with backoff, refreshes keys, revocations and volunteers."""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime

from qr import contract

from . import idle
from .client import Offline, Refused
from .core import Kiosk, duration_text

log = logging.getLogger("kiosk.sync")

BATCH = 50
# A whole batch refused with one of these (an older server, or an envelope one action made too
# large) is the content's fault, not the network's: its actions are sent one at a time, and
# one refused alone is marked refused, never sent again.
CONTENT_REFUSALS = (400, 413, 422)
REFRESH_SECONDS = 60.0
# While online the kiosk asks every few seconds whether anything was revoked (one tiny request),
# so a withdrawn card is refused offline within seconds instead of at the next full refresh.
CHANGES_SECONDS = 5.0
MAX_BACKOFF = 60.0


def _epoch(text) -> float | None:
    """An ISO 8601 time from the server as epoch seconds; None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


class SyncWorker(threading.Thread):
    def __init__(self, kiosk: Kiosk, *, refresh_seconds: float = REFRESH_SECONDS,
                 max_backoff: float = MAX_BACKOFF, first_backoff: float = 1.0,
                 changes_seconds: float = CHANGES_SECONDS) -> None:
        super().__init__(name="kiosk-sync", daemon=True)
        self.kiosk = kiosk
        self.refresh_seconds = refresh_seconds
        self.max_backoff = max_backoff
        self.first_backoff = first_backoff
        self.changes_seconds = changes_seconds
        self.wakeup = threading.Event()
        self.stopping = threading.Event()
        self._last_refresh = 0.0
        kiosk.sync_wakeup = self.wakeup

    def stop(self) -> None:
        self.stopping.set()
        self.wakeup.set()

    def run(self) -> None:
        backoff = self.first_backoff
        while not self.stopping.is_set():
            try:
                self.once()
            except Offline as exc:
                log.info("offline: %s", exc)
                self.kiosk.screen.set(online=False)
                # Jitter: kiosks coming back together do not hammer in step. New scans do not
                # cut the wait short (only stop() does): offline, they would each retry at once.
                self.stopping.wait(random.uniform(0.5, 1.0) * backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except Exception:
                log.exception("sync failed")
                self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = self.first_backoff
            self._sleep(min(self.refresh_seconds, self.changes_seconds))

    def _sleep(self, seconds: float) -> None:
        self.wakeup.wait(seconds)
        self.wakeup.clear()

    def once(self) -> None:
        """One round: refresh when due (or after being offline), then empty the outbox."""
        kiosk = self.kiosk
        if not kiosk.is_enrolled or kiosk.is_revoked:
            return
        if kiosk.screen.online is not True or kiosk.refresh_due or \
                time.time() - self._last_refresh >= self.refresh_seconds:
            kiosk.refresh_due = False
            self.refresh()
        else:
            self.check_changes()
        while self.push():
            pass
        kiosk.screen.set(online=True)

    # ---- refresh ----------------------------------------------------------------------------

    def check_changes(self) -> bool:
        """Ask for the newest cursors; fetch revocations and volunteers only when they moved.
        True when something was fetched."""
        kiosk, client = self.kiosk, self.kiosk.client()
        try:
            cursors = client.changes()
        except Refused as exc:
            if exc.code == "device_revoked":
                self._refused(exc)
            return False  # an older server without the endpoint: the full refresh still runs
        moved = False
        on_shift = cursors.get("on_shift")
        if isinstance(on_shift, list):  # an older server does not send it
            self.kiosk.store.sync_on_shift(
                [(e["number"], started) for e in on_shift if isinstance(e, dict)
                 and isinstance(e.get("number"), str)
                 and (started := _epoch(e.get("started_at"))) is not None],
                complete=len(on_shift) < contract.ON_SHIFT_MAX)
        if int(cursors.get("revocation_cursor", 0)) > int(kiosk.store.get("revocation_cursor", 0)):
            self._fetch_revocations(client)
            moved = True
        if int(cursors.get("volunteer_cursor", 0)) > int(kiosk.store.get("volunteer_cursor", 0)):
            self._fetch_volunteers(client)
            moved = True
        return moved

    def _fetch_revocations(self, client) -> None:
        cursor = int(self.kiosk.store.get("revocation_cursor", 0))
        while True:
            page = client.revocations(cursor)
            cursor = int(page.get("cursor", cursor))
            self.kiosk.store.add_revocations(
                [r["code_id"] for r in page.get("revocations", [])], cursor)
            if not page.get("more"):
                break

    def _fetch_volunteers(self, client) -> None:
        feed = client.volunteers(int(self.kiosk.store.get("volunteer_cursor", 0)))
        self.kiosk.store.update_volunteers(feed.get("volunteers", []),
                                           int(feed.get("cursor", 0)), bool(feed.get("full")))

    def refresh(self) -> None:
        kiosk, client = self.kiosk, self.kiosk.client()
        client.outbox = kiosk.store.count("pending")  # health: the dashboard shows the backlog
        try:
            answer = client.state()
        except Refused as exc:
            self._refused(exc)
            return
        state = answer.body
        if isinstance(state.get("server_time_ms"), int | float):
            # Server minus kiosk, taking the server's reading as the midpoint of the round trip.
            offset = state["server_time_ms"] / 1000 - (answer.sent_at + answer.received_at) / 2
            kiosk.store.put(clock_offset=round(offset, 3))
        if isinstance(state.get("site"), dict):
            kiosk.store.put(site=state["site"])
        kiosk.set_keys(client.keys().get("keys", []))
        self._fetch_revocations(client)
        self._fetch_volunteers(client)
        # The menu (点单) and the catalog (兑换) are kept for offline use. A server without
        # one of these endpoints (older version) leaves the cached copy as it was.
        for name, fetch in (("menu", client.menu), ("catalog", client.catalog)):
            try:
                items = fetch().get("items")
            except Refused as exc:
                if exc.code == "device_revoked":
                    self._refused(exc)
                    return
                log.warning("%s not refreshed: %s", name, exc)
                continue
            if isinstance(items, list):
                kiosk.store.put(**{name: items})
        idle.refresh(kiosk, client)  # the idle screen's activities and honor roll
        self._last_refresh = time.time()

    def _refused(self, exc: Refused) -> None:
        """403 device_revoked: say so and accept nothing; other refusals: try again later."""
        if exc.code == "device_revoked":
            self.kiosk.store.put(revoked=True)
            self.kiosk.screen.set(online=True)
            return
        raise Offline(str(exc))

    # ---- upload -----------------------------------------------------------------------------

    def push(self, batch: int = BATCH) -> bool:
        """Send one batch; True when more may be waiting. Non-200 leaves it all pending."""
        kiosk = self.kiosk
        actions = kiosk.store.pending(batch)
        if not actions:
            return False
        kiosk.store.bump_attempts([a.key for a in actions])
        request = {"actions": [a.wire() for a in actions],
                   "sent_at": datetime.fromtimestamp(time.time(), UTC).isoformat(),
                   "clock_offset_ms": -int(kiosk.store.get("clock_offset", 0.0) * 1000),
                   "outbox": kiosk.store.count("pending")}  # this batch and what waits behind
        try:
            body = kiosk.client().actions(request)
        except Refused as exc:
            if exc.status not in CONTENT_REFUSALS:
                self._refused(exc)
                return False
            self._one_by_one(actions, request, exc)
            kiosk.screen.bump()
            return True
        self._apply_all(actions, body)
        kiosk.screen.bump()  # the queue count on screen went down
        return len(actions) == batch

    def _apply_all(self, actions, body: dict) -> None:
        answers = {a.get("key"): a for a in body.get("answers", []) if isinstance(a, dict)}
        for action in actions:
            answer = answers.get(action.key)
            if answer is not None:
                self.apply(action, answer)

    def _one_by_one(self, actions, request: dict, refusal: Refused) -> None:
        """The server refused the batch for what it holds: find the action(s) it refuses by
        sending each alone. A refused one is settled as refused (kept, with the server's
        answer, for an admin to see); the others are applied. Offline stops the round and
        leaves the rest pending, as any upload would."""
        if len(actions) == 1:
            self._settle_refused(actions[0], refusal)
            return
        for action in actions:
            try:
                body = self.kiosk.client().actions(dict(request, actions=[action.wire()]))
            except Refused as exc:
                if exc.status not in CONTENT_REFUSALS:
                    self._refused(exc)
                    return
                self._settle_refused(action, exc)
                continue
            self._apply_all([action], body)

    def _settle_refused(self, action, refusal: Refused) -> None:
        log.warning("action %s refused by the server for its content: %s", action.key, refusal)
        self.apply(action, {"key": action.key, "status": refusal.status,
                            "error": refusal.error})

    def apply(self, action, answer: dict) -> None:
        """Apply the server's answer to one action exactly once."""
        status = int(answer.get("status", 500))
        if status >= 500:
            return  # transient: stays pending, goes again next round
        state = "done" if status < 400 else "refused"
        if not self.kiosk.store.settle(action.key, state, answer):
            return
        result = answer.get("result") or {}
        if action.kind in ("order", "complete", "rate") and result.get("number"):
            self.kiosk.store.set_order_status(result["number"], result.get("status", ""),
                                              result.get("service", ""))
        elif action.kind == "rate" and (answer.get("error") or {}).get("code") == "already_rated":
            self.kiosk.store.set_order_status(action.display.get("order", ""), "rated")
        if action.kind == "redeem" and action.display.get("number") and "balance" in result:
            self.kiosk.store.set_balance(action.display["number"], result["balance"])
        if action.kind != "sign":
            return
        if state == "refused" and action.display.get("ok"):
            # The screen had said yes (offline, or before the card was withdrawn): tell whoever
            # is still standing there, for a minute; the count is the dashboard's business.
            who = action.display.get("name", "")
            self.kiosk.screen.correct(f"{who}：{self.kiosk.words['server_refused']}")
            return
        number = action.display.get("number")
        direction = result.get("action")
        name = (result.get("volunteer") or {}).get("name")
        if number and direction in ("in", "out") and not self.kiosk.store.has_pending_for(number):
            # The server is the authority on who is on shift; keep the kiosk's cache in step.
            self.kiosk.store.set_on_shift(number, direction == "in", name,
                                          _epoch(result.get("at")) if direction == "in" else None)
        if direction in ("in", "out") and direction != action.display.get("direction"):
            words = self.kiosk.words
            who = name or action.display.get("name", "")
            text = f"{who}：{words['server_says_' + direction]}"
            began, ended = _epoch(result.get("started_at")), _epoch(result.get("at"))
            if direction == "out" and began is not None and ended is not None:
                # Signed in elsewhere (the phone, another kiosk): the length still is told.
                minutes = max(int((ended - began) // 60), 0)
                text += "，" + words["service_took"] % duration_text(minutes, self.kiosk.lang)
            self.kiosk.screen.correct(text)
