"""Presence codes: a kiosk's rotating on-screen code, HMAC'd with the kiosk's own secret.

A phone that scans it proves its owner stands at that kiosk now. The code changes every
STEP_SECONDS; the server accepts the current step and one either side. Kiosks hold no signing
key, so this is an HMAC over (device id, step), not an Ed25519 token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from .errors import CodeError
from .tokens import _split_base

__all__ = ["STEP_SECONDS", "step_at", "presence_mac", "presence_url", "parse_presence",
           "check_presence"]

STEP_SECONDS = 15
_MAC_CHARS = 16  # 80 bits: far beyond guessing within a 45-second window
_PATH = re.compile(r"/P/([0-9]{1,9})-([0-9]{1,12})-([A-Z2-7]{16})", re.IGNORECASE)


def step_at(unix_time: float | None = None) -> int:
    return int((time.time() if unix_time is None else unix_time) // STEP_SECONDS)


def presence_mac(secret: bytes, device_id: int, step: int) -> str:
    digest = hmac.new(secret, f"presence:{device_id}:{step}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:_MAC_CHARS]


def presence_url(base_url: str, device_id: int, step: int, secret: bytes) -> str:
    """``{BASE}/P/{device}-{step}-{mac}``, uppercase so the QR stays in alphanumeric mode."""
    scheme, netloc, path = _split_base(base_url)
    mac = presence_mac(secret, device_id, step)
    return f"{scheme.upper()}://{netloc.upper()}{path}/P/{device_id}-{step}-{mac}"


def parse_presence(text: str, base_url: str) -> tuple[int, int, str]:
    """(device_id, step, mac) from a scanned presence URL on base_url, else CodeError."""
    if not isinstance(text, str):
        raise CodeError("garbage", "presence code must be text")
    scheme, netloc, path = _split_base(base_url)
    head = f"{scheme}://{netloc}{path}".lower()
    text = text.strip()
    if not text.lower().startswith(head):
        raise CodeError("foreign", "not a presence code of this deployment")
    match = _PATH.fullmatch(text[len(head):])
    if match is None:
        raise CodeError("garbage", "not a presence code")
    return int(match.group(1)), int(match.group(2)), match.group(3).upper()


def check_presence(secret: bytes, device_id: int, step: int, mac: str, *,
                   now: float | None = None, window: int = 1) -> None:
    """Raise CodeError unless mac is right and step is within `window` steps of now."""
    if not hmac.compare_digest(presence_mac(secret, device_id, step), mac.upper()):
        raise CodeError("tampered", "presence code does not match this kiosk")
    if abs(step - step_at(now)) > window:
        raise CodeError("expired", "presence code is stale; scan the screen again")
