"""Ed25519 signing keys for the server and the public keyring kiosks verify with."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import QRError
from .payload import _KID_RE

__all__ = ["SigningKey", "PublicKey", "Keyring"]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def default_key_id(public_raw: bytes) -> str:
    """A short id derived from the public key, so the same key always gets the same id."""
    # Four base32 chars (20 bits): every byte in the token costs QR modules; duplicates are refused.
    return base64.b32encode(hashlib.sha256(public_raw).digest()[:5]).decode()[:4]


def _check_kid(kid: str) -> str:
    if not isinstance(kid, str) or not _KID_RE.match(kid):
        raise QRError(f"key id must be 1-16 chars of A-Z a-z 0-9 . _ - (got {kid!r})")
    return kid


class SigningKey:
    """A private Ed25519 key with its key id; lives only on the server."""

    def __init__(self, private: Ed25519PrivateKey, key_id: str | None = None) -> None:
        self._private = private
        self.key_id = _check_kid(key_id or default_key_id(_raw_public(private.public_key())))

    @classmethod
    def generate(cls, key_id: str | None = None) -> SigningKey:
        return cls(Ed25519PrivateKey.generate(), key_id)

    @classmethod
    def from_pem(cls, data: bytes | str, key_id: str | None = None) -> SigningKey:
        if isinstance(data, str):
            data = data.encode()
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise QRError(f"not an unencrypted PEM private key: {exc}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise QRError("PEM key is not an Ed25519 key")
        return cls(private, key_id)

    def to_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def public_key(self) -> PublicKey:
        return PublicKey(self.key_id, _raw_public(self._private.public_key()))

    def public_jwk(self) -> dict[str, str]:
        return self.public_key().to_jwk()

    def __repr__(self) -> str:  # never print key material
        return f"<SigningKey {self.key_id}>"


@dataclass(frozen=True)
class PublicKey:
    """A public Ed25519 key in a keyring; retired keys stay listed so their codes fail clearly."""

    kid: str
    raw: bytes
    retired: bool = False

    @classmethod
    def from_jwk(cls, jwk: dict) -> PublicKey:
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise QRError("JWK must have kty OKP and crv Ed25519")
        try:
            raw = _b64url_decode(jwk["x"])
        except (KeyError, TypeError, ValueError):
            raise QRError("JWK has no valid x") from None
        if len(raw) != 32:
            raise QRError("JWK x must be 32 bytes")
        return cls(_check_kid(jwk.get("kid")), raw, bool(jwk.get("retired", False)))

    def to_jwk(self) -> dict:
        jwk: dict = {"kid": self.kid, "kty": "OKP", "crv": "Ed25519", "x": _b64url(self.raw)}
        if self.retired:
            jwk["retired"] = True
        return jwk

    def verifies(self, signature: bytes, data: bytes) -> bool:
        return _verifies(self.raw, signature, data)


# A kiosk reads the same cards all day and a server checks the same codes on every scan; a
# signature check is a pure function of key, signature and data, so its answer is remembered
# (a hit costs a hash of ~100 bytes, a check ~60 µs). Bounded: a flood of forged codes only
# evicts, it cannot grow memory.
@functools.lru_cache(maxsize=8192)
def _verifies(raw: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    except InvalidSignature:
        return False
    return True


class Keyring:
    """The public keys a verifier trusts, by key id; JSON shape ``{"keys": [jwk, ...]}``."""

    def __init__(self, keys: Iterable[PublicKey] = ()) -> None:
        self._keys: dict[str, PublicKey] = {}
        for key in keys:
            self._put(key)

    @classmethod
    def from_keys(cls, jwks: Iterable[dict | SigningKey]) -> Keyring:
        ring = cls()
        for jwk in jwks:
            ring.add(jwk)
        return ring

    @classmethod
    def from_json(cls, text: str | bytes) -> Keyring:
        try:
            doc = json.loads(text)
            jwks = doc["keys"]
        except (ValueError, TypeError, KeyError):
            raise QRError('keyring JSON must look like {"keys": [...]}') from None
        if not isinstance(jwks, list):
            raise QRError('keyring JSON "keys" must be a list')
        return cls.from_keys(jwks)

    def to_json(self) -> str:
        return json.dumps({"keys": [k.to_jwk() for k in self]}, ensure_ascii=False)

    def add(self, key: dict | SigningKey | PublicKey) -> None:
        """Trust a public key (a JWK dict, a PublicKey, or a SigningKey's public half)."""
        if isinstance(key, SigningKey):
            key = key.public_key()
        elif isinstance(key, dict):
            key = PublicKey.from_jwk(key)
        self._put(key)

    def _put(self, key: PublicKey) -> None:
        old = self._keys.get(key.kid)
        # A kid reused for different key material would let one key impersonate another.
        if old is not None and old.raw != key.raw:
            raise QRError(f"key id {key.kid!r} already names a different key")
        self._keys[key.kid] = key

    def retire(self, kid: str) -> None:
        """Stop accepting codes signed with this key; they then fail with reason retired_key."""
        try:
            key = self._keys[kid]
        except KeyError:
            raise QRError(f"no key {kid!r} in keyring") from None
        self._keys[kid] = PublicKey(key.kid, key.raw, retired=True)

    def get(self, kid: str) -> PublicKey | None:
        return self._keys.get(kid)

    def __iter__(self) -> Iterator[PublicKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys
