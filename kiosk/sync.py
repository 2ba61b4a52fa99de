"""The sync worker: uploads the outbox with backoff, refreshes keys, revocations and volunteers."""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime

from .client import Offline, Refused
from .core import Kiosk

log = logging.getLogger("kiosk.sync")

BATCH = 50
REFRESH_SECONDS = 60.0
MAX_BACKOFF = 60.0


class SyncWorker(threading.Thread):
    def __init__(self, kiosk: Kiosk, *, refresh_seconds: float = REFRESH_SECONDS,
                 max_backoff: float = MAX_BACKOFF, first_backoff: float = 1.0) -> None:
        super().__init__(name="kiosk-sync", daemon=True)
        self.kiosk = kiosk
        self.refresh_seconds = refresh_seconds
        self.max_backoff = max_backoff
        self.first_backoff = first_backoff
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
            self._sleep(self.refresh_seconds)

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
        while self.push():
            pass
        kiosk.screen.set(online=True)

    # ---- refresh ----------------------------------------------------------------------------

    def refresh(self) -> None:
        kiosk, client = self.kiosk, self.kiosk.client()
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
        cursor = int(kiosk.store.get("revocation_cursor", 0))
        while True:
            page = client.revocations(cursor)
            cursor = int(page.get("cursor", cursor))
            kiosk.store.add_revocations([r["code_id"] for r in page.get("revocations", [])],
                                        cursor)
            if not page.get("more"):
                break
        feed = client.volunteers(int(kiosk.store.get("volunteer_cursor", 0)))
        kiosk.store.update_volunteers(feed.get("volunteers", []), int(feed.get("cursor", 0)),
                                      bool(feed.get("full")))
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
                   "clock_offset_ms": -int(kiosk.store.get("clock_offset", 0.0) * 1000)}
        try:
            body = kiosk.client().actions(request)
        except Refused as exc:
            self._refused(exc)
            return False
        answers = {a.get("key"): a for a in body.get("answers", []) if isinstance(a, dict)}
        for action in actions:
            answer = answers.get(action.key)
            if answer is not None:
                self.apply(action, answer)
        kiosk.screen.bump()  # the queue count on screen went down
        return len(actions) == batch

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
        number = action.display.get("number")
        direction = result.get("action")
        name = (result.get("volunteer") or {}).get("name")
        if number and direction in ("in", "out") and not self.kiosk.store.has_pending_for(number):
            # The server is the authority on who is on shift; keep the kiosk's cache in step.
            self.kiosk.store.set_on_shift(number, direction == "in", name)
        if direction in ("in", "out") and direction != action.display.get("direction"):
            words = self.kiosk.words
            who = name or action.display.get("name", "")
            self.kiosk.screen.correct(f"{who}：{words['server_says_' + direction]}")
