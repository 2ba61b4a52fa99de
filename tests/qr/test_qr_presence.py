"""Presence codes: rotate every 15 s, accept a step either side, refuse forgeries and strangers."""

from __future__ import annotations

import pytest

from qr import CodeError
from qr.presence import (
    STEP_SECONDS,
    check_presence,
    parse_presence,
    presence_mac,
    presence_url,
    step_at,
)

BASE = "https://zhaohua.example.org"
SECRET = b"kiosk-secret-0123456789abcdef"
NOW = 1_780_000_000.0


def test_round_trip_and_window():
    step = step_at(NOW)
    url = presence_url(BASE, 7, step, SECRET)
    assert url.startswith("HTTPS://ZHAOHUA.EXAMPLE.ORG/P/7-")
    device, got_step, mac = parse_presence(url.lower(), BASE)
    assert (device, got_step) == (7, step)
    check_presence(SECRET, device, got_step, mac, now=NOW)
    check_presence(SECRET, device, got_step, mac, now=NOW + STEP_SECONDS)  # one step later
    with pytest.raises(CodeError) as caught:
        check_presence(SECRET, device, got_step, mac, now=NOW + 3 * STEP_SECONDS)
    assert caught.value.reason == "expired"


def test_wrong_secret_device_or_step_is_tampered():
    step = step_at(NOW)
    mac = presence_mac(SECRET, 7, step)
    for secret, device, when in ((b"other", 7, step), (SECRET, 8, step), (SECRET, 7, step + 1)):
        with pytest.raises(CodeError) as caught:
            check_presence(secret, device, when, mac, now=NOW)
        assert caught.value.reason == "tampered"


@pytest.mark.parametrize("text", ["https://evil.example.com/P/7-1-AAAAAAAAAAAAAAAA",
                                  "https://zhaohua.example.org/S/ABC", "hello", ""])
def test_foreign_and_garbage(text):
    with pytest.raises(CodeError):
        parse_presence(text, BASE)
