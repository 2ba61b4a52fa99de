"""Signing and offline verification of code tokens, and the URLs that carry them."""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Container
from urllib.parse import urlsplit

from .errors import CodeError, QRError
from .keys import Keyring, SigningKey
from .payload import CodeType, Payload, pack, unpack

__all__ = ["sign", "verify", "code_url", "extract_token", "SHORTENERS"]

_SIG_LEN = 64
# Uppercase base32 lets QR encoders use alphanumeric mode (5.5 bits/char instead of 8).
# One case throughout: a token with mixed case is never the result of honest case folding.
_TOKEN_RE = re.compile(r"[A-Z2-7]{16,400}|[a-z2-7]{16,400}")
#: Link shorteners hide the real domain from the resident; a poster must show ours.
SHORTENERS = frozenset(
    {
        "t.cn",
        "dwz.cn",
        "url.cn",
        "w.url.cn",
        "suo.im",
        "mrw.so",
        "dwz.mk",
        "tb.cn",
        "bit.ly",
        "tinyurl.com",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "t.co",
        "rebrand.ly",
        "cutt.ly",
        "s.id",
        "tiny.cc",
        "v.gd",
        "shorturl.at",
        "rb.gy",
        "lnkd.in",
    }  # fmt: skip
)


def sign(payload: Payload, key: SigningKey) -> str:
    """Return the token text: base32(pack(payload) + Ed25519 signature over those bytes)."""
    if payload.key_id != key.key_id:
        raise QRError(f"payload names key {payload.key_id!r} but is signed with {key.key_id!r}")
    body = pack(payload)
    return base64.b32encode(body + key.sign(body)).decode().rstrip("=")


def _uniform_case(text: str) -> bool:
    return text == text.lower() or text == text.upper()


def _split_base(base_url: str) -> tuple[str, str, str]:
    """Check a deployment base URL; return (scheme, netloc, path) with no trailing slash."""
    if not isinstance(base_url, str) or any(c in base_url for c in "?# \t\r\n") or "@" in base_url:
        raise QRError(
            f"base URL must be a plain http(s) URL without query, fragment or user: {base_url!r}"
        )
    parts = urlsplit(base_url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise QRError(f"base URL must be http(s) with a host: {base_url!r}")
    if any(host == s or host.endswith("." + s) for s in SHORTENERS):
        raise QRError(f"refusing URL shortener {host!r}: residents must see the real domain")
    return scheme, parts.netloc, parts.path.rstrip("/")


def code_url(base_url: str, token: str) -> str:
    """The URL printed in a QR code: ``{BASE}/S/{token}`` with scheme and host uppercased."""
    scheme, netloc, path = _split_base(base_url)
    if not _TOKEN_RE.fullmatch(token) or token != token.upper():
        raise QRError("not a token made by sign()")
    # Scheme and host are case-insensitive (RFC 3986); uppercase keeps them in alphanumeric mode.
    return f"{scheme.upper()}://{netloc.upper()}{path}/S/{token}"


def extract_token(text: str, base_url: str | None = None) -> str:
    """The token in a bare token or a URL on base_url; anything else is CodeError("foreign")."""
    if not isinstance(text, str):
        raise CodeError("garbage", "code text must be a string")
    text = text.strip()
    if _TOKEN_RE.fullmatch(text):
        return text.upper()
    if base_url is None or "://" not in text:
        raise CodeError("foreign", "not one of our codes")
    scheme, netloc, path = _split_base(base_url)
    got_scheme, _, rest = text.partition("://")
    got_netloc, slash, got_path = rest.partition("/")
    # Each part may be case-folded as a whole (browsers lowercase scheme and host), not per letter.
    if (
        not slash
        or got_scheme.lower() != scheme
        or not _uniform_case(got_scheme)
        or got_netloc.lower() != netloc.lower()
        or not _uniform_case(got_netloc)
    ):
        raise CodeError("foreign", "URL is not on this deployment's domain")
    for marker in ("/s/", "/S/"):
        prefix = path + marker
        if ("/" + got_path).startswith(prefix):
            token = ("/" + got_path)[len(prefix) :]
            if _TOKEN_RE.fullmatch(token):
                return token.upper()
    raise CodeError("foreign", "URL is not a service code link")


def _decode_token(token: str) -> tuple[bytes, bytes]:
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except (binascii.Error, ValueError):
        raise CodeError("garbage", "token is not base32") from None
    # Unused low bits of the last character must be zero, so each token has exactly one spelling.
    if base64.b32encode(raw).decode().rstrip("=") != token:
        raise CodeError("garbage", "token is not canonical base32")
    if len(raw) <= _SIG_LEN:
        raise CodeError("garbage", "token is too short")
    return raw[:-_SIG_LEN], raw[-_SIG_LEN:]


def verify(
    text: str,
    keyring: Keyring,
    *,
    expected_type: CodeType | str | None = None,
    base_url: str | None = None,
    revoked: Container[str] = (),
    now: int | None = None,
    leeway: int = 60,
) -> Payload:
    """Check a scanned code offline and return its payload, or raise CodeError with the reason.

    ``leeway`` tolerates a kiosk clock that runs behind the server's when checking issued_at;
    expiry is checked strictly because short-lived codes are the security-relevant direction.
    """
    body, signature = _decode_token(extract_token(text, base_url))
    payload = unpack(body)
    key = keyring.get(payload.key_id)
    if key is None:
        raise CodeError("unknown_key", f"no public key {payload.key_id!r}; refresh the keyring")
    if not key.verifies(signature, body):
        raise CodeError("tampered", "signature does not match")
    if key.retired:
        raise CodeError("retired_key", f"key {payload.key_id!r} has been retired")
    if expected_type is not None and payload.type != CodeType(expected_type):
        raise CodeError(
            "wrong_type", f"expected a {CodeType(expected_type)} code, got {payload.type}"
        )
    if payload.code_id in revoked:
        raise CodeError("revoked", f"code {payload.code_id} has been revoked")
    now = int(time.time()) if now is None else now
    if payload.issued_at > now + leeway:
        raise CodeError("not_yet_valid", "code is issued in the future; check the clock")
    if payload.expires_at is not None and now >= payload.expires_at:
        raise CodeError("expired", "code has expired")
    return payload
