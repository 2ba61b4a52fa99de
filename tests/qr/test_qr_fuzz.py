"""Hypothesis against the code parser: any text, any bytes, any mutation of a real token is
either verified or refused with CodeError (a reason the kiosk can show), never another
exception; what was signed verifies back unchanged."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qr import CodeError, Payload, sign, verify
from qr.errors import REASONS
from qr.payload import CodeType, unpack
from qr.tokens import code_url, extract_token
from tests.fixtures.qr_keys import BASE, NOW

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_is_verified_or_refused(keyring, text):
    for candidate in (text, "HTTPS://ZHAOHUA.EXAMPLE.ORG/S/" + text, BASE + "/s/" + text):
        try:
            verify(candidate, keyring, base_url=BASE, now=NOW)
        except CodeError as error:
            assert error.reason in REASONS


@FUZZ
@given(data=st.binary(max_size=200))
def test_any_bytes_unpack_or_are_refused(data):
    try:
        unpack(data)
    except CodeError as error:
        assert error.reason in REASONS


@FUZZ
@given(index=st.integers(min_value=0), char=st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=a0\x00\u00e9/:"))
def test_a_changed_character_is_refused(make_token, keyring, index, char):
    token = make_token()
    position = index % len(token)
    forged = token[:position] + char + token[position + 1:]
    if forged.upper() == token:
        return
    try:
        verify(forged, keyring, base_url=BASE, now=NOW)
    except CodeError as error:
        assert error.reason in REASONS
    else:
        raise AssertionError(f"forgery accepted: {forged}")


@FUZZ
@given(type_=st.sampled_from(list(CodeType)),
       subject=st.from_regex(r"[A-Za-z0-9._-]{1,32}", fullmatch=True),
       version=st.integers(min_value=1, max_value=2**31 - 1),
       issued=st.integers(min_value=0, max_value=NOW),
       lifetime=st.none() | st.integers(min_value=1, max_value=10**6))
def test_what_is_signed_verifies_back(key, keyring, type_, subject, version, issued,
                                      lifetime):
    payload = Payload(type_, subject, version, issued,
                      None if lifetime is None else NOW + lifetime, key.key_id)
    token = sign(payload, key)
    assert extract_token(code_url(BASE, token), BASE) == token
    assert base64.b32decode(token + "=" * (-len(token) % 8))
    assert verify(token, keyring, now=NOW) == payload
