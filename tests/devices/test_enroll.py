"""Enrolling a kiosk, its bearer secret, revocation, state and the volunteer feed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

import qr
from server.codes.operations import code_url
from server.core.audit import AuditEvent
from server.devices import operations as dops
from server.devices.models import Device, Enrollment
from tests.conftest import BASE_URL


def test_enrollment_pairs_a_kiosk_once(client, db, network):
    _, code = dops.create_enrollment(network["library"])
    db.session.commit()
    response = client.post("/api/v1/kiosk/enroll", json={"code": code_url(code),
                                                         "app_version": "1.0"})
    assert response.status_code == 201
    data = response.get_json()
    assert data["site"] == {"id": network["library"].id, "name": "东村图书室", "address": ""}
    assert data["base_url"] == BASE_URL
    assert data["keys"] and data["keys"][0]["crv"] == "Ed25519"
    # Only the hash of the bearer secret is stored; the presence secret decrypts to what was sent.
    db.session.rollback()
    device = db.session.get(Device, data["device_id"])
    assert data["secret"] not in device.secret_hash
    assert device.secret_hash == dops.hash_secret(data["secret"])
    assert dops.presence_key_text(dops.presence_secret(device)) == data["presence_secret"]
    assert data["presence_secret"] not in device.presence_secret_encrypted
    # The public keys returned verify real codes.
    keyring = qr.Keyring.from_json(__import__("json").dumps({"keys": data["keys"]}))
    assert qr.verify(code_url(code), keyring, base_url=BASE_URL).type == "enrollment"

    again = client.post("/api/v1/kiosk/enroll", json={"code": code_url(code)})
    assert again.status_code == 410
    # Used, not "withdrawn and replaced": the answer says what happened.
    assert again.get_json()["error"]["code"] == "enrollment_used"
    assert "已更换" not in again.get_json()["error"]["message"]
    assert db.session.scalar(select(Device.id).where(Device.id != device.id)) is None


def test_expired_or_garbage_enrollment_code_is_refused(client, db, network):
    enrollment, code = dops.create_enrollment(network["library"])
    db.session.commit()
    garbage = client.post("/api/v1/kiosk/enroll", json={"code": "hello"})
    assert garbage.status_code == 400
    assert client.post("/api/v1/kiosk/enroll", json={}).get_json()["error"]["code"] == \
        "invalid_code"
    # A volunteer card or a poster is not an enrollment code.
    from server.codes.operations import ensure_point_code

    poster = ensure_point_code(network["library"])
    db.session.commit()
    wrong = client.post("/api/v1/kiosk/enroll", json={"code": code_url(poster)})
    assert wrong.get_json()["error"]["code"] == "code_wrong_type"
    db.session.rollback()
    row = db.session.get(Enrollment, enrollment.id)
    row.expires_at = row.expires_at - timedelta(minutes=30)
    db.session.commit()
    expired = client.post("/api/v1/kiosk/enroll", json={"code": code_url(code)})
    assert expired.status_code == 410
    assert expired.get_json()["error"]["code"] == "code_expired"
    db.session.rollback()
    assert db.session.scalar(select(Device)) is None


def test_unknown_and_revoked_kiosks_are_refused(client, db, enroll_kiosk):
    kiosk = enroll_kiosk()
    assert client.get("/api/v1/kiosk/state").status_code == 401
    wrong = client.get("/api/v1/kiosk/state", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (401, "device_unknown")
    state = client.get("/api/v1/kiosk/state", headers={**kiosk.headers,
                                                       "X-Kiosk-Version": "2.1"})
    assert state.status_code == 200
    body = state.get_json()
    assert body["device"]["id"] == kiosk.id and body["site"]["name"] == "东村图书室"
    assert abs(body["server_time_ms"] / 1000 - __import__("time").time()) < 5
    db.session.rollback()
    device = db.session.get(Device, kiosk.id)
    assert device.app_version == "2.1" and device.last_seen_at is not None
    dops.revoke(device, "被盗")
    db.session.commit()
    for response in (client.get("/api/v1/kiosk/state", headers=kiosk.headers),
                     kiosk.upload([]),
                     client.get("/api/v1/kiosk/volunteers", headers=kiosk.headers)):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "device_revoked"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "device.revoke"))


def test_revoking_needs_a_reason(db, enroll_kiosk):
    kiosk = enroll_kiosk()
    device = db.session.get(Device, kiosk.id)
    try:
        dops.revoke(device, "  ")
    except dops.ValidationError as error:
        assert error.code == "reason_required"
    else:
        raise AssertionError("revoked without a reason")


def test_volunteer_feed_full_then_changes(client, db, enroll_kiosk, create_volunteer):
    from server.devices.models import VolunteerChange
    from server.volunteers import operations as vops

    kiosk = enroll_kiosk()
    first, _ = create_volunteer("李建国")
    second, _ = create_volunteer("赵敏")
    full = client.get("/api/v1/kiosk/volunteers?since=0", headers=kiosk.headers).get_json()
    assert full["full"] is True
    assert {v["number"]: (v["name"], v["code_version"], v["active"])
            for v in full["volunteers"]} == {first.number: ("李*国", 1, True),
                                             second.number: ("赵*", 1, True)}
    # Changes newer than 10 s are not behind the cursor yet: age them, then take the cursor.
    db.session.execute(VolunteerChange.__table__.update().values(
        at=VolunteerChange.at - timedelta(minutes=1)))
    db.session.commit()
    cursor = client.get("/api/v1/kiosk/volunteers?since=0",
                        headers=kiosk.headers).get_json()["cursor"]
    assert cursor > 0
    vops.reissue_code(db.session.get(type(first), first.id), "卡丢了")
    db.session.commit()
    changed = client.get(f"/api/v1/kiosk/volunteers?since={cursor}",
                         headers=kiosk.headers).get_json()
    assert changed["full"] is False
    assert [(v["number"], v["code_version"]) for v in changed["volunteers"]] == \
        [(first.number, 2)]
    bad = client.get("/api/v1/kiosk/volunteers?since=x", headers=kiosk.headers)
    assert bad.status_code == 400
