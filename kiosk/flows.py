"""The touchscreen's questions: 点单, confirming or rating an order by its code, 积分兑换."""

from __future__ import annotations

import itertools
import re
import threading
import time
from datetime import UTC, datetime

import qr
from qr import contract
from qr.payload import CodeType

from . import messages, speech
from .client import Client, Offline, Refused
from .store import Revoked

PHONE = re.compile(contract.PHONE_PATTERN)
# The server's limits (qr.contract, shared with orders/models.py): refusing here keeps a typo
# from becoming a refusal that the resident only learns of after leaving.
PLACE_MAX, NOTE_MAX, COMMENT_MAX = contract.PLACE_MAX, contract.NOTE_MAX, contract.COMMENT_MAX
TAGS_MAX, TAG_MAX = contract.TAGS_MAX, contract.TAG_MAX
REDEEM_WAIT_SECONDS = 120  # after 积分兑换 is tapped, the next volunteer code redeems
PROMPTS_KEPT = 20
LOOKUP_TIMEOUT = 4.0  # a status lookup must not keep a resident waiting on a bad network


#: The touchscreen's steps and the moves between them: the one table the screen follows
#: (served in the page as `flow` JSON; flows.js refuses a move that is not here). Each step
#: names the steps a touch may open from it and how long it waits for the next touch before
#: the start screen comes back ("ask": a question, "show": a receipt to photograph). Besides
#: these, every step may go back to the step it came from, and to the start screen ("idle").
#: A code held to the camera opens its step (`SCANNED`) from wherever the screen is.
ASK_SECONDS, SHOW_SECONDS = 90, 120  # a question: well over the 60 s minimum
IDLE = "idle"
FLOW: dict[str, dict] = {
    IDLE: {"next": ["f-menu", "f-redeem-wait"]},
    # 点单: service, phone, place and note, confirm, receipt.
    "f-menu": {"next": ["f-phone"], "wait": "ask"},
    "f-phone": {"next": ["f-place"], "wait": "ask"},
    "f-place": {"next": ["f-confirm-order"], "wait": "ask"},
    "f-confirm-order": {"next": ["f-receipt"], "wait": "ask"},
    "f-receipt": {"next": [], "wait": "show"},
    # An order code: look it up, then confirm completion or rate.
    "f-choice": {"next": ["f-complete", "f-rate"], "wait": "ask"},
    "f-complete": {"next": ["f-completed"], "wait": "ask"},
    "f-completed": {"next": ["f-rate"], "wait": "ask"},
    "f-rate": {"next": [], "wait": "ask"},
    # 积分兑换: wait for the volunteer's code, pick, confirm, result.
    "f-redeem-wait": {"next": [], "wait": "ask"},
    "f-catalog": {"next": ["f-redeem-confirm"], "wait": "ask"},
    "f-redeem-confirm": {"next": ["f-redeem-result"], "wait": "ask"},
    "f-redeem-result": {"next": [], "wait": "show"},
}
SCANNED = {"order_code": "f-choice", "redeem": "f-catalog"}  # prompt kind → the step it opens


def flow_table() -> dict:
    """FLOW for the page's scripts: the steps, the scanned ones, and the waits in seconds."""
    return {"steps": FLOW, "scanned": SCANNED,
            "seconds": {"ask": ASK_SECONDS, "show": SHOW_SECONDS}}


def can_move(current: str, target: str, *, scanned: bool = False) -> bool:
    """Whether the screen may go from `current` to `target` (back and to idle always may)."""
    if target == IDLE or (scanned and target in SCANNED.values()):
        return True
    return target in FLOW.get(current, {}).get("next", ())


class FlowError(ValueError):
    """A touchscreen request the kiosk cannot take; `message` is for the screen."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


class Flows:
    def __init__(self, kiosk) -> None:
        self.kiosk = kiosk
        self._ids = itertools.count(1)
        self._prompts: dict[int, dict] = {}  # id -> prompt, with the scanned code text
        self._lock = threading.Lock()
        self.redeem_until = 0.0  # monotonic

    def _err(self, code: str) -> FlowError:
        return FlowError(code, self.kiosk.words.get(code, self.kiosk.words["unknown"]))

    # ---- scans ------------------------------------------------------------------------------

    def route(self, text: str) -> bool:
        """Take an order code, or a volunteer code while 积分兑换 waits; False: not ours.

        Anything that does not verify is left to the sign-in path, which shows and uploads
        the refusal as before.
        """
        store = self.kiosk.store
        try:
            payload = qr.verify(text, self.kiosk.keyring(), base_url=store.get("base_url"),
                                revoked=Revoked(store), now=int(self.kiosk.now()))
        except qr.CodeError:
            return False
        if payload.type == CodeType.ORDER:
            known = store.order_status(payload.subject) or {}
            self._ask("order_code", text, number=payload.subject,
                      status=known.get("status"), service=known.get("service", ""))
            return True
        if payload.type == CodeType.VOLUNTEER and time.monotonic() < self.redeem_until:
            self.redeem_until = 0.0
            number = payload.subject
            known = store.volunteer(number) or {}
            self._ask("redeem", text, number=number, name=known.get("masked_name") or "",
                      balance=store.balance(number))
            return True
        return False

    def _ask(self, kind: str, code: str, **fields) -> dict:
        prompt = {"id": next(self._ids), "kind": kind, "at": time.time(), **fields}
        with self._lock:
            self._prompts[prompt["id"]] = {**prompt, "code": code}
            for old in sorted(self._prompts)[:-PROMPTS_KEPT]:
                del self._prompts[old]
        self.kiosk.screen.set(prompt=prompt)
        return prompt

    def prompt(self, prompt_id, kind: str) -> dict:
        with self._lock:
            prompt = self._prompts.get(prompt_id if isinstance(prompt_id, int) else -1)
        if prompt is None or prompt["kind"] != kind:
            raise self._err("flow_expired")
        return prompt

    def set_redeem_mode(self, on: bool) -> None:
        self.redeem_until = time.monotonic() + REDEEM_WAIT_SECONDS if on else 0.0

    # ---- what the server knows of an order --------------------------------------------------

    def _ask_server(self, ask) -> tuple[str, dict | str | None]:
        """ask(client), given LOOKUP_TIMEOUT at most: ("found", answer), ("refused", what to
        say) or ("offline", None)."""
        kiosk = self.kiosk
        client = Client(kiosk.server, kiosk.store.get("secret"), timeout=LOOKUP_TIMEOUT)
        try:
            return "found", ask(client)
        except Refused as exc:
            reason = (exc.error.get("details") or {}).get("reason") or exc.code
            return "refused", messages.reason_text(reason, kiosk.lang)
        except Offline:
            return "offline", None

    def lookup(self, prompt_id: int) -> dict:
        """The order's status: asked of the server when it answers quickly, else as cached."""
        prompt = self.prompt(prompt_id, "order_code")
        outcome, found = self._ask_server(lambda client: client.order_status(prompt["code"]))
        if outcome == "refused":
            return {"number": prompt["number"], "status": None, "source": "server",
                    "refused": found}
        if outcome == "offline":
            known = self.kiosk.store.order_status(prompt["number"]) or {}
            return {"number": prompt["number"], "status": known.get("status"),
                    "service": known.get("service", ""), "source": "cache"}
        self.kiosk.store.set_order_status(found["number"], found["status"],
                                          found.get("service", ""))
        return {"number": found["number"], "status": found["status"],
                "service": found.get("service", ""), "source": "server"}

    def balance(self, prompt_id: int) -> dict:
        """The balance of the volunteer at the redemption screen: asked of the server when it
        answers quickly (and remembered), else the last one this kiosk saw, if any."""
        prompt = self.prompt(prompt_id, "redeem")
        outcome, found = self._ask_server(lambda client: client.balance(prompt["code"]))
        if outcome == "refused":
            return {"balance": None, "source": "server", "refused": found}
        if outcome == "offline":
            return {"balance": self.kiosk.store.balance(prompt["number"]), "source": "cache"}
        self.kiosk.store.set_balance(prompt["number"], found["balance"])
        return {"balance": found["balance"], "source": "server"}

    # ---- actions: each committed to the outbox before the screen says anything --------------

    def _record(self, kind: str, body: dict, display: dict) -> dict:
        client_time = datetime.fromtimestamp(time.time(), UTC).isoformat()
        action = self.kiosk.store.record(kind, body, client_time, display)
        self.kiosk.screen.bump()  # the banner's queue count
        self.kiosk._nudge()
        return {"key": action.key}

    def place_order(self, data: dict) -> dict:
        item = _find(self.kiosk.store.get("menu") or [], data.get("item_id"))
        if item is None:
            raise self._err("item_gone")
        phone = re.sub(r"\D", "", str(data.get("phone") or ""))
        if not PHONE.fullmatch(phone):
            raise self._err("invalid_phone")
        place, note = _short(data.get("place"), PLACE_MAX), _short(data.get("note"), NOTE_MAX)
        if place is None or note is None:
            raise self._err("too_long")
        body = {"item_id": item["id"], "phone": phone, "place": place, "note": note}
        # ok: the screen says the order is saved; a later refusal needs someone to call back.
        display = {"ok": True, "service": item["name"], "phone": mask_phone(phone)}
        return {**self._record("order", body, display), "service": item["name"],
                "phone": mask_phone(phone)}

    def complete(self, prompt_id) -> dict:
        prompt = self.prompt(prompt_id, "order_code")
        answer = self._record("complete", {"code": prompt["code"]},
                              {"ok": True, "order": prompt["number"]})
        # Rating right after works offline too: the outbox sends complete before rate.
        self.kiosk.store.set_order_status(prompt["number"], "completed")
        return answer

    def rate(self, prompt_id, data: dict) -> dict:
        prompt = self.prompt(prompt_id, "order_code")
        stars = data.get("stars")
        if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
            raise self._err("invalid_stars")
        tags = data.get("tags") or []
        if not isinstance(tags, list) or len(tags) > TAGS_MAX or \
                not all(isinstance(t, str) and 0 < len(t) <= TAG_MAX for t in tags):
            raise self._err("invalid_tags")
        comment = _short(data.get("comment"), COMMENT_MAX)
        if comment is None:
            raise self._err("too_long")
        body = {"code": prompt["code"], "stars": stars, "tags": tags, "comment": comment}
        answer = self._record("rate", body, {"ok": True, "order": prompt["number"]})
        self.kiosk.store.set_order_status(prompt["number"], "rated")
        return answer

    def redeem(self, prompt_id, data: dict) -> dict:
        prompt = self.prompt(prompt_id, "redeem")
        item = _find(self.kiosk.store.get("catalog") or [], data.get("item_id"))
        if item is None:
            raise self._err("item_gone")
        # ok False: nothing is handed over until the server has answered (points are only
        # known there), so a refusal is shown, not a promise broken.
        display = {"ok": False, "number": prompt["number"], "item": item["name"],
                   "points": item["cost_points"]}
        return self._record("redeem", {"code": prompt["code"], "item_id": item["id"],
                                       "quantity": 1}, display)

    def action_state(self, key: str) -> dict | None:
        action = self.kiosk.store.action(key)
        if action is None:
            return None
        out = {"state": action.state, "kind": action.kind, "online": self.kiosk.screen.online,
               "display": action.display}
        if action.answer is not None:
            out["result"] = action.answer.get("result")
            error = action.answer.get("error")
            if error:
                out["error"] = error.get("message") or messages.reason_text(
                    error.get("code", ""), self.kiosk.lang)
        out["say"] = _spoken(out)
        return out


# What an action's state says aloud: (pending offline, pending online, done, refused).
_SAY = {"order": ("order_queued", "sending", "order_ok", "order_refused"),
        "redeem": ("redeem_queued", "redeem_wait", "redeem_ok", "redeem_refused"),
        "complete": ("saved_offline", "sending", "completed_ok", "order_code_refused"),
        "rate": ("saved_offline", "sending", "rated_ok", "order_code_refused")}


def _spoken(state: dict) -> list[str]:
    """The parts to say for an action's state; an order number digit by digit, a balance as
    a number, never a name."""
    queued, sending, done, refused = _SAY.get(state["kind"], ("", "", "", ""))
    if state["state"] == "pending":
        return [queued if state["online"] is False else sending]
    if state["state"] == "refused":
        return [refused]
    result = state.get("result") or {}
    if state["kind"] == "order" and result.get("number"):
        return [done, "order_number", *speech.digit_parts(str(result["number"]))]
    if state["kind"] == "redeem" and isinstance(result.get("balance"), int):
        return [done, "balance_after", *speech.number_parts(max(result["balance"], 0)),
                "jifen"]
    return [done]


def _find(items: list[dict], item_id) -> dict | None:
    return next((i for i in items if isinstance(i, dict) and i.get("id") == item_id
                 and i.get("is_active", True)), None)


def _short(value, limit: int) -> str | None:
    """Trimmed text within the limit; None when too long or not text."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit:
        return None
    return value.strip()
