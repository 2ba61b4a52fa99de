"""A kiosk's health on the dashboard: last seen to the minute, a new app version at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.devices.models import Device
from tests.fixtures.devices import sign_action


def _device(db, kiosk) -> Device:
    db.session.rollback()
    return db.session.get(Device, kiosk.id)


def _seen(device: Device) -> datetime:
    return device.last_seen_at.replace(tzinfo=UTC)


def test_an_upload_refreshes_a_last_seen_older_than_a_minute(db, enroll_kiosk,
                                                             create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    long_ago = datetime.now(UTC) - timedelta(minutes=30)
    db.session.execute(update(Device).where(Device.id == kiosk.id)
                       .values(last_seen_at=long_ago))
    db.session.commit()
    assert kiosk.upload([sign_action(card)]).status_code == 200
    assert datetime.now(UTC) - _seen(_device(db, kiosk)) < timedelta(seconds=30)


def test_a_new_app_version_is_shown_at_once(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    response = kiosk.client.post("/api/v1/kiosk/actions", json={"actions": [sign_action(card)]},
                                 headers={**kiosk.headers, "X-Kiosk-Version": "3.0.1"})
    assert response.status_code == 200
    assert _device(db, kiosk).app_version == "3.0.1"


def test_uploads_within_a_minute_do_not_rewrite_last_seen(db, enroll_kiosk, create_volunteer):
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    recently = datetime.now(UTC) - timedelta(seconds=20)
    db.session.execute(update(Device).where(Device.id == kiosk.id)
                       .values(last_seen_at=recently))
    db.session.commit()
    assert kiosk.upload([sign_action(card)]).status_code == 200
    assert _seen(_device(db, kiosk)) == recently
