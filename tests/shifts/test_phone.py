"""Phone sign-in: the kiosk's rotating presence code (verified) and the poster (unverified)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from qr.presence import step_at
from server.codes.operations import code_url, ensure_point_code
from server.shifts.models import PresenceUse, Shift
from tests.conftest import csrf_token_in
from tests.fixtures.devices import phone_login, presence_path, scan_presence
from tests.forgery import tampered


def _shifts(db):
    db.session.rollback()
    return list(db.session.scalars(select(Shift).order_by(Shift.id)))


def test_presence_code_signs_in_verified(client, db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    volunteer, _ = create_volunteer()
    phone_login(client, volunteer)
    response = scan_presence(client, kiosk, step_at())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "已签到" in page.get_data(as_text=True) and "东村图书室" in page.get_data(as_text=True)
    [shift] = _shifts(db)
    assert shift.is_verified and shift.start_method == "presence" and shift.is_open
    assert shift.start_device_id == kiosk.id
    mine = client.get("/v/shifts/").get_data(as_text=True)
    assert "东村图书室" in mine


def test_stale_presence_code_is_refused(client, db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    volunteer, _ = create_volunteer()
    phone_login(client, volunteer)
    response = scan_presence(client, kiosk, step_at() - 3)  # 45 s old: the screen has changed
    assert response.status_code == 410
    assert "已经更新" in response.get_data(as_text=True)
    assert _shifts(db) == []


def test_reused_presence_code_is_refused(client, db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    volunteer, _ = create_volunteer()
    phone_login(client, volunteer)
    step = step_at()
    assert scan_presence(client, kiosk, step).status_code == 302
    again = scan_presence(client, kiosk, step)
    assert again.status_code == 409
    assert "已经用过" in again.get_data(as_text=True)
    assert len(_shifts(db)) == 1
    assert db.session.scalar(select(PresenceUse.step)) == step


def test_forged_presence_code_and_no_session(client, db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    volunteer, _ = create_volunteer()
    path = presence_path(kiosk, step_at())
    # Without a phone session: sent to the page that explains logging in (no password field).
    response = client.get(path)
    assert response.status_code == 302 and "/v/welcome" in response.headers["Location"]
    phone_login(client, volunteer)
    forged = tampered(path)
    page = client.get(forged)
    refused = client.post(forged, data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})
    assert refused.status_code == 400
    assert _shifts(db) == []


def test_presence_from_a_revoked_kiosk_is_refused(client, db, enroll_kiosk, create_volunteer):
    from server.devices import operations as dops
    from server.devices.models import Device

    kiosk = enroll_kiosk()
    volunteer, _ = create_volunteer()
    dops.revoke(db.session.get(Device, kiosk.id), "报废")
    db.session.commit()
    phone_login(client, volunteer)
    assert scan_presence(client, kiosk, step_at()).status_code == 403
    assert _shifts(db) == []


def test_poster_sign_in_is_unverified_until_approved(client, db, network, create_volunteer,
                                                    create_admin, login):
    from server.ledger.operations import balance
    from server.shifts import operations as ops

    volunteer, _ = create_volunteer()
    poster = ensure_point_code(network["library"])
    path = urlsplit(code_url(poster)).path
    db.session.commit()
    phone_login(client, volunteer)
    landing = client.get(path).get_data(as_text=True)
    assert "签到" in landing
    token = path.rsplit("/", 1)[1]
    response = client.post(f"/v/shifts/poster/{token}",
                           data={"csrf_token": csrf_token_in(landing)})
    assert response.status_code == 302
    [shift] = _shifts(db)
    assert not shift.is_verified and "unverified" in shift.flags
    # Signing out the same way an hour later: closed, but waiting for an admin.
    shift.started_at = shift.started_at - timedelta(hours=1)
    db.session.commit()
    client.post(f"/v/shifts/poster/{token}", data={"csrf_token": csrf_token_in(landing)})
    [shift] = _shifts(db)
    assert shift.review == "pending" and shift.credited_minutes == 60
    assert balance(shift.volunteer) == 0
    ops.review(shift, True, "站长确认在岗", actor=None)
    db.session.commit()
    assert balance(shift.volunteer) > 0
