"""The kiosk's HTTP client for the server's /api/v1 (stdlib only: kiosks are small machines)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

API = "/api/v1"


class Offline(Exception):
    """The server could not be reached, or answered with a transient failure (5xx, 429)."""


class Refused(Exception):
    """The server answered with a 4xx error: retrying the same request will not help."""

    def __init__(self, status: int, error: dict) -> None:
        self.status = status
        self.error = error
        self.code = error.get("code", "")
        super().__init__(f"{status} {self.code}: {error.get('message', '')}")


@dataclass
class Answer:
    status: int
    body: dict
    sent_at: float  # kiosk clock when the request left
    received_at: float  # kiosk clock when the answer arrived
    server_date: float | None  # the server's Date header (whole seconds)


def _encoded(body: dict) -> bytes:
    """JSON as UTF-8; text UTF-8 cannot carry (a lone surrogate a scan produced) as JSON's
    own escape, so the server can refuse that one action rather than the kiosk crashing."""
    try:
        return json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(body).encode()


class Client:
    def __init__(self, server: str, secret: str | None = None, timeout: float = 10.0,
                 version: str = "") -> None:
        self.server = server.rstrip("/")
        self.version = version
        self.secret = secret
        self.timeout = timeout
        self.outbox: int | None = None  # the outbox backlog, reported on each request

    def request(self, method: str, path: str, body: dict | None = None) -> Answer:
        data = None if body is None else _encoded(body)
        req = urllib.request.Request(self.server + API + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        req.add_header("X-Kiosk-Version", self.version)
        if self.outbox is not None:
            req.add_header("X-Kiosk-Outbox", str(self.outbox))
        if self.secret:
            req.add_header("Authorization", f"Bearer {self.secret}")
        sent = time.time()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw, status, headers = resp.read(), resp.status, resp.headers
        except urllib.error.HTTPError as exc:
            raw, status, headers = exc.read(), exc.code, exc.headers
        except (OSError, ValueError) as exc:  # refused, reset, timeout, DNS, bad URL
            raise Offline(str(exc)) from None
        received = time.time()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            raise Offline(f"HTTP {status}: not JSON") from None
        if status >= 500 or status == 429:
            raise Offline(f"HTTP {status}")
        if status >= 400:
            error = parsed.get("error") if isinstance(parsed, dict) else None
            raise Refused(status, error if isinstance(error, dict) else {"code": str(status)})
        date = headers.get("Date")
        try:
            server_date = parsedate_to_datetime(date).timestamp() if date else None
        except (TypeError, ValueError):
            server_date = None
        return Answer(status, parsed if isinstance(parsed, dict) else {}, sent, received,
                      server_date)

    # ---- the endpoints ----------------------------------------------------------------------

    def enroll(self, code: str, name: str, app_version: str) -> dict:
        return self.request("POST", "/kiosk/enroll",
                            {"code": code, "name": name, "app_version": app_version}).body

    def state(self) -> Answer:
        return self.request("GET", "/kiosk/state")

    def volunteers(self, since: int = 0) -> dict:
        return self.request("GET", f"/kiosk/volunteers?since={int(since)}").body

    def changes(self) -> dict:
        return self.request("GET", "/kiosk/changes").body

    def keys(self) -> dict:
        return self.request("GET", "/keys").body

    def revocations(self, since: int) -> dict:
        return self.request("GET", f"/revocations?since={int(since)}").body

    def menu(self) -> dict:
        return self.request("GET", "/kiosk/menu").body

    def catalog(self) -> dict:
        return self.request("GET", "/kiosk/catalog").body

    def order_status(self, code: str) -> dict:
        from urllib.parse import quote

        return self.request("GET", "/kiosk/order-status?code=" + quote(code, safe="")).body

    def balance(self, code: str) -> dict:
        from urllib.parse import quote

        return self.request("GET", "/kiosk/balance?code=" + quote(code, safe="")).body

    def actions(self, batch: dict) -> dict:
        return self.request("POST", "/kiosk/actions", batch).body
