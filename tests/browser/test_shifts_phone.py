"""A volunteer's phone scans the kiosk's presence code and sees a large, clear result."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from qr.presence import presence_url, step_at
from tests.conftest import BASE_URL

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def _kiosk_and_login_link(app):
    from server.devices import operations as dops
    from server.extensions import db
    from server.sites.models import Site
    from server.volunteers import operations as vops
    from server.volunteers.logins import issue_login_link

    with app.app_context():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        _, code = dops.create_enrollment(library)
        device, _secret, presence = dops.enroll(dops.codes.code_url(code))
        volunteer = vops.create_volunteer(name="刘桂兰", phone="13900001111", site=library)
        _, token = issue_login_link(volunteer)
        db.session.commit()
        return device.id, presence, token


def test_phone_signs_in_and_out_with_the_presence_code(app, live_server, browser, shot):
    device_id, secret, token = _kiosk_and_login_link(app)
    assert base64.urlsafe_b64encode(secret)
    page = browser.new_page(**PHONE)
    page.goto(f"{live_server}/v/link/{token}")
    page.get_by_role("button").click()
    page.wait_for_url("**/v/")

    path = urlsplit(presence_url(BASE_URL, device_id, step_at(), secret)).path
    page.goto(live_server + path)  # the page submits itself: no tap needed
    page.wait_for_url("**/v/shifts/result/**")
    panel = page.locator(".signed")
    assert panel.locator("h1").inner_text() == "已签到"
    assert "刘桂兰" in panel.inner_text() and "区图书馆" in panel.inner_text()
    size = panel.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36
    shot(page, "40-phone-presence-signed-in")

    page.goto(live_server + path)  # the same code again: refused, in plain words
    assert page.locator(".refused h1").inner_text() == "未能签到"
    assert "已经用过" in page.locator(".refused").inner_text()
    shot(page, "41-phone-presence-reused")

    page.goto(f"{live_server}/v/shifts/")
    assert "区图书馆" in page.locator("main").inner_text()
    shot(page, "42-phone-my-shifts")
