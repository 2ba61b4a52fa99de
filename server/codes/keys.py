"""The server's signing keys: created on first use, rotated, retired; private halves encrypted."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select

import qr

from ..core import audit
from ..core.actors import Actor
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.i18n import _l
from ..core.timeutil import utcnow
from ..extensions import db
from .models import SigningKeyRecord


def derived_fernet(purpose: bytes) -> Fernet:
    """A Fernet keyed from SECRET_KEY for one purpose (device secrets use their own)."""
    secret = current_app.config["SECRET_KEY"].encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def _fernet() -> Fernet:
    # The private keys are useless in a database dump without the deployment's SECRET_KEY.
    return derived_fernet(b"wenming signing keys v1")


_KID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_KEYRING = "codes.keyring"  # app.extensions slot of the process's cached keyring


def _next_kid() -> str:
    """Short key ids keep the printed URL short: "KA", "KB", … then "K32", "K33", …"""
    used = db.session.query(SigningKeyRecord).count()
    return "K" + (_KID_ALPHABET[used] if used < len(_KID_ALPHABET) else str(used))


def _create(actor: Actor = None) -> SigningKeyRecord:
    key = qr.SigningKey.generate(_next_kid())
    record = SigningKeyRecord(
        kid=key.key_id,
        public_x=key.public_jwk()["x"],
        private_encrypted=_fernet().encrypt(key.to_pem()).decode(),
        is_current=True,
    )
    db.session.add(record)
    db.session.flush()
    audit.record("key.create", record, actor=actor, kid=record.kid)
    return record


def current_record() -> SigningKeyRecord:
    """The key that signs new codes; the first call on a new deployment creates it."""
    record = db.session.scalar(select(SigningKeyRecord).where(SigningKeyRecord.is_current))
    return record if record is not None else _create()


def signing_key(record: SigningKeyRecord | None = None) -> qr.SigningKey:
    record = record or current_record()
    try:
        pem = _fernet().decrypt(record.private_encrypted.encode())
    except InvalidToken:
        raise DomainError(
            _l("The signing key cannot be decrypted: SECRET_KEY has changed. Rotate the key."),
            "signing_key_unreadable", status=500,
        ) from None
    return qr.SigningKey.from_pem(pem, record.kid)


def keyring() -> qr.Keyring:
    """Every key ever used, retired ones marked so their codes fail as retired_key."""
    ring = qr.Keyring()
    for record in db.session.scalars(select(SigningKeyRecord).order_by(SigningKeyRecord.id)):
        ring.add(record.jwk())
        if record.retired_at is not None:
            ring.retire(record.kid)
    return ring


def cached_keyring() -> qr.Keyring:
    """This process's copy of keyring(), loaded once. It is only a hint: a key's public half
    never changes, and codes.operations.resolve checks against the database that the key is
    the same and not retired, and decides every refusal with a fresh keyring."""
    ring = current_app.extensions.get(_KEYRING)
    return ring if ring is not None else fresh_keyring()


def fresh_keyring() -> qr.Keyring:
    """keyring() from the database, kept as the process's copy (a new key is picked up)."""
    ring = current_app.extensions[_KEYRING] = keyring()
    return ring


def all_keys() -> list[SigningKeyRecord]:
    return list(db.session.scalars(select(SigningKeyRecord).order_by(SigningKeyRecord.id)))


def rotate(actor: Actor = None) -> SigningKeyRecord:
    """A new key signs from now on; the old one keeps verifying the codes it signed."""
    old = db.session.scalar(
        select(SigningKeyRecord).where(SigningKeyRecord.is_current).with_for_update()
    )
    if old is not None:
        old.is_current = False
        db.session.flush()
    record = _create(actor)
    audit.record("key.rotate", record, actor=actor, previous=old.kid if old else None)
    return record


def retire(kid: str, actor: Actor = None) -> SigningKeyRecord:
    """Codes signed with a retired key stop verifying: reissue them before retiring."""
    record = db.session.scalar(
        select(SigningKeyRecord).where(SigningKeyRecord.kid == kid).with_for_update()
    )
    if record is None:
        raise NotFound(_l("No such signing key."), "key_not_found")
    if record.is_current:
        raise ValidationError(_l("The current signing key cannot be retired; rotate first."),
                              "key_is_current")
    if record.retired_at is None:
        record.retired_at = utcnow()
        audit.record("key.retire", record, actor=actor, kid=kid)
    return record
