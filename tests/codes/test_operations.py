"""Issuing, rotating, revoking and resolving codes, and the database's guarantees."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import qr
from server.codes import keys
from server.codes import operations as ops
from server.codes.models import ServiceCode
from server.core.audit import AuditEvent
from server.core.errors import ValidationError


def test_a_point_code_verifies_offline_with_the_public_keys(db, coded, network):
    code = coded["library"]
    payload = qr.verify(ops.code_url(code), keys.keyring(),
                        base_url="https://zhaohua.example.org")
    expected = ("point", str(network["library"].id), 1)
    assert (payload.type, payload.subject, payload.version) == expected
    assert code.short_code == f"ZH-{network['library'].id:04d}-1"
    assert ops.code_url(code).startswith("HTTPS://ZHAOHUA.EXAMPLE.ORG/S/")


def test_ensure_is_idempotent(db, coded, network):
    assert ops.ensure_point_code(network["library"]).id == coded["library"].id


def test_rotate_revokes_the_old_version(db, coded, network):
    old = coded["library"]
    new = ops.rotate_point_code(network["library"], "海报破损")
    db.session.commit()
    assert (new.version, old.version) == (2, 1)
    assert old.revoked_at is not None and old.revoke_reason == "海报破损"
    with pytest.raises(ops.CodeRejected) as caught:
        ops.resolve(ops.code_url(old))
    assert caught.value.reason == "revoked" and caught.value.status == 410
    assert ops.resolve(ops.code_url(new)).id == new.id
    assert [e.code_id for e in ops.revocations_since(0)] == [old.code_id]


def test_revoke_needs_a_reason_and_is_idempotent(db, coded, network):
    with pytest.raises(ValidationError):
        ops.revoke_point_code(network["east"], "  ")
    ops.revoke_point_code(network["east"], "站点撤并")
    again = ops.revoke(coded["east"], "再次")
    assert again.revoke_reason == "站点撤并"
    assert len(ops.revocations_since(0)) == 1


def test_the_database_allows_one_live_code_per_site(db, coded, network):
    code = coded["east"]
    db.session.add(ServiceCode(type="point", subject=code.subject, version=99,
                               site_id=code.site_id, key_id=code.key_id, token="X"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda url: url[:-1] + ("A" if url[-1] != "A" else "B"), "tampered"),
        (lambda url: "https://evil.example.com/S/" + url.rsplit("/", 1)[1], "foreign"),
        (lambda url: "我是一张普通的二维码", "foreign"),
        (lambda url: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "garbage"),
    ],
)
def test_forged_and_foreign_codes_are_refused_and_audited(db, coded, mangle, reason):
    text = mangle(ops.code_url(coded["library"]))
    with pytest.raises(ops.CodeRejected) as caught:
        ops.resolve(text)
    assert caught.value.reason in {reason, "garbage", "tampered"}
    assert caught.value.code.startswith("code_")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "code.rejected"))
    assert [e.details["reason"] for e in events] == [caught.value.reason]


def test_a_code_signed_by_a_stranger_is_unknown_key(db, coded, network):
    stranger = qr.SigningKey.generate("EVIL")
    payload = qr.Payload(type="point", subject=str(network["library"].id), version=1,
                         issued_at=1_700_000_000, expires_at=None, key_id="EVIL")
    with pytest.raises(ops.CodeRejected) as caught:
        ops.resolve(qr.sign(payload, stranger))
    assert caught.value.reason == "unknown_key"


def test_key_rotation_keeps_old_codes_until_retired(db, coded, network):
    first = keys.current_record().kid
    second = keys.rotate()
    db.session.commit()
    assert second.kid != first
    assert ops.resolve(ops.code_url(coded["library"])).id == coded["library"].id
    new = ops.rotate_point_code(network["east"], "换新密钥")
    assert new.key_id == second.kid
    with pytest.raises(ValidationError):
        keys.retire(second.kid)
    keys.retire(first)
    db.session.commit()
    with pytest.raises(ops.CodeRejected) as caught:
        ops.resolve(ops.code_url(coded["library"]))
    assert caught.value.reason == "retired_key"
    assert ops.resolve(ops.code_url(new)).id == new.id


def test_private_keys_are_encrypted_at_rest(db, coded):
    record = keys.current_record()
    assert "PRIVATE KEY" not in record.private_encrypted
    assert keys.signing_key(record).key_id == record.kid


def test_a_changed_secret_key_is_a_clear_error(app, db, coded):
    app.config["SECRET_KEY"] = "a-different-secret"
    with pytest.raises(Exception) as caught:
        keys.signing_key()
    assert getattr(caught.value, "code", "") == "signing_key_unreadable"


def test_an_inactive_site_gets_no_code(db, network):
    from server.sites.operations import set_active

    set_active(network["west"], False)
    with pytest.raises(ValidationError):
        ops.ensure_point_code(network["west_station"])
