"""Fixtures for the qr library tests: keys, a keyring and a clock."""

from __future__ import annotations

import pytest

from qr import CodeType, Keyring, Payload, SigningKey, sign

BASE = "https://zhaohua.example.org"
NOW = 1_780_000_000


@pytest.fixture(scope="session")
def key() -> SigningKey:
    return SigningKey.generate("K1")


@pytest.fixture
def keyring(key: SigningKey) -> Keyring:
    return Keyring.from_keys([key.public_jwk()])


@pytest.fixture
def make_token(key: SigningKey):
    """Factory: a signed token for the given fields (defaults: point code 42, version 3)."""

    def make(
        type=CodeType.POINT, subject="42", version=3, issued_at=NOW, expires_at=None, signer=None
    ):
        signer = signer or key
        return sign(Payload(type, subject, version, issued_at, expires_at, signer.key_id), signer)

    return make
