"""Every dashboard section opens for each kind of admin with the demo district loaded."""

from __future__ import annotations

import pytest

from server.demo.district import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("username", ["admin", "yuanba-shequ"])
def test_every_section_opens(app, live_server, browser, shot, username):
    with app.test_request_context():
        nav = [(item["endpoint"], str(item["label"]))
               for item in app.extensions["wenming_nav"]]
    assert len(nav) >= 5
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    for index, (endpoint, label) in enumerate(nav):
        page.goto(live_server + "/admin/")
        with page.expect_navigation() as navigation:
            page.click(f"header nav >> text={label}")
        assert navigation.value.status == 200, (endpoint, navigation.value.status)
        assert page.locator("h1").count() >= 1, endpoint
        shot(page, f"20-tour-{username}-{index:02d}-{endpoint.replace('.', '-')}")
