"""An admin issues a phone login link; a phone opens it and shows its own volunteer code."""

from __future__ import annotations

import re

import numpy as np
import pytest

import qr

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def test_admin_issues_a_link_and_the_phone_shows_its_code(app, live_server, browser, shot):
    from server.codes.operations import code_url
    from server.volunteers import operations as ops

    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.goto(live_server + "/login")
    desk.fill("input[name=username]", "yuanba-shequ")
    desk.fill("input[name=password]", "zhaohua-demo-2024")
    desk.click("button[type=submit]")
    desk.goto(live_server + "/admin/volunteers/?q=ZH2024000001")
    assert "138" not in desk.inner_text("tbody") or "****" in desk.inner_text("tbody")
    desk.click("text=ZH2024000001")
    # The click navigates: wait for the detail page before asking for its image,
    # or the query can run on the list page, find nothing and throw.
    desk.wait_for_url("**/admin/volunteers/ZH2024000001")
    desk.wait_for_function("document.querySelector('.codebox img')?.naturalWidth > 0")
    shot(desk, "40-volunteer-detail")
    desk.click("text=手机登录链接")
    link = desk.locator("#login-link").get_attribute("href")
    shot(desk, "41-volunteer-login-link")
    path = re.sub(r"^https?://[^/]+", "", link)

    phone = browser.new_page(**PHONE)
    phone.goto(live_server + path)
    assert "王*英" in phone.inner_text("body")
    phone.click("text=在本机登录")
    phone.wait_for_url(live_server + "/v/")
    assert phone.locator("h1").inner_text() == "王秀英"
    assert "ZH2024000001" in phone.inner_text("body")
    box = phone.locator(".bigcode svg").bounding_box()
    assert box["width"] >= 300
    png = shot(phone, "42-phone-volunteer-home")
    image = np.frombuffer(phone.locator(".bigcode svg").screenshot(), dtype=np.uint8)
    with app.app_context():
        volunteer = ops.get_by_number("ZH2024000001")
        expected = code_url(ops.volunteer_code(volunteer))
    assert [d.text for d in qr.decode(image.tobytes())] == [expected]
    assert png.exists()

    # The link is used up: opening it again is refused.
    again = browser.new_page(**PHONE)
    response = again.goto(live_server + path)
    assert response.status == 410
