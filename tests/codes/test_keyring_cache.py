"""The keyring each process keeps is only a hint: a stale copy never lets a code through
that the database would refuse, and never refuses one it would accept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import qr
from qr.payload import CodeType
from server.codes import keys
from server.codes import operations as ops

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_stale_cached_key_under_a_reused_kid_lets_nothing_through(app, db, coded):
    # A database restored under a running server: the cached kid names other key material.
    kid = keys.current_record().kid
    stranger = qr.SigningKey.generate(kid)
    app.extensions["codes.keyring"] = qr.Keyring.from_keys([stranger])
    payload = qr.Payload(type=CodeType("point"), subject=coded["library"].subject,
                         version=coded["library"].version, issued_at=int(DAY.timestamp()),
                         expires_at=None, key_id=kid)
    with pytest.raises(ops.CodeRejected) as caught:
        ops.resolve(qr.sign(payload, stranger))  # verifies against the stale copy only
    assert caught.value.reason == "tampered"
    app.extensions["codes.keyring"] = qr.Keyring.from_keys([stranger])
    assert ops.resolve(ops.code_url(coded["library"])).id == coded["library"].id  # genuine


def test_a_process_started_before_the_first_key_reloads_on_the_unknown_key(app, db, coded):
    app.extensions["codes.keyring"] = qr.Keyring()  # cached before any key existed
    assert ops.resolve(ops.code_url(coded["east"])).id == coded["east"].id
    assert keys.current_record().kid in app.extensions["codes.keyring"]
