"""Fixtures shared by the device and shift tests: volunteers, enrolled kiosks, a phone session."""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.conftest import BASE_URL, csrf_token_in

_keys = itertools.count(1)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class Kiosk:
    """A simulated kiosk talking to the server through the test client."""

    def __init__(self, client, enrolled: dict):
        self.client = client
        self.enrolled = enrolled
        self.id = enrolled["device_id"]
        self.headers = {"Authorization": f"Bearer {enrolled['secret']}"}

    @property
    def presence_secret(self) -> bytes:
        text = self.enrolled["presence_secret"]
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    def upload(self, actions: list[dict], **extra):
        return self.client.post("/api/v1/kiosk/actions", json={"actions": actions, **extra},
                                headers=self.headers)

    def sign(self, code_text: str, at: datetime | None = None, *, key: str | None = None,
             **extra) -> dict:
        """One sign action; returns its answer (asserting the batch itself was accepted)."""
        body = {"code": code_text, **{k: v for k, v in extra.items() if k == "direction"}}
        batch_extra = {k: v for k, v in extra.items() if k != "direction"}
        action = sign_action(code_text, at, key=key, **body)
        response = self.upload([action], **batch_extra)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["answers"][0]


def sign_action(code_text: str, at: datetime | None = None, *, key: str | None = None,
                **body) -> dict:
    body = {"code": code_text, **body}
    return {"key": key or f"k{next(_keys)}", "kind": "sign",
            "client_time": iso(at or datetime.now(UTC)), "body": body}


@pytest.fixture
def create_volunteer(db, network):
    """create_volunteer(name, site=...) -> (Volunteer, code URL), committed."""
    from server.codes.operations import code_url
    from server.volunteers import operations as vops

    phones = itertools.count(13800000001)

    def create(name="王秀英", site=None):
        volunteer = vops.create_volunteer(name=name, phone=str(next(phones)),
                                          site=site or network["east_station"])
        url = code_url(vops.volunteer_code(volunteer))
        db.session.commit()
        return volunteer, url

    return create


@pytest.fixture
def enroll_kiosk(client, db, network):
    """enroll_kiosk(site=library) -> Kiosk, enrolled through the real API."""
    from server.codes.operations import code_url
    from server.devices import operations as dops

    def enroll(site=None, client_=None):
        _, code = dops.create_enrollment(site or network["library"])
        url = code_url(code)
        db.session.commit()
        response = (client_ or client).post("/api/v1/kiosk/enroll",
                                            json={"code": url, "name": "测试机"})
        db.session.rollback()  # the test's session must not keep a snapshot from before
        assert response.status_code == 201, response.get_data(as_text=True)
        return Kiosk(client_ or client, response.get_json())

    return enroll


def phone_login(client, volunteer) -> None:
    """Log the test client in as the volunteer through a one-time login link, as a phone would."""
    from server.extensions import db
    from server.volunteers.logins import issue_login_link

    _, token = issue_login_link(volunteer)
    db.session.commit()
    page = client.get(f"/v/link/{token}")
    assert page.status_code == 200, page.get_data(as_text=True)
    response = client.post(f"/v/link/{token}",
                           data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)


def presence_path(kiosk: Kiosk, step: int) -> str:
    from qr.presence import presence_url

    return urlsplit(presence_url(BASE_URL, kiosk.id, step, kiosk.presence_secret)).path


def scan_presence(client, kiosk: Kiosk, step: int):
    """Open the presence URL and submit the page's form, as the phone's browser does."""
    path = presence_path(kiosk, step)
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)
