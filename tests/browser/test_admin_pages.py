"""Pages issue 13 changed, in a real browser for each kind of administrator: the dispatch
board's filters, the ledger in words, and the confirmation before a reversal; axe-core finds
nothing serious or critical."""

from __future__ import annotations

import pytest

from server.demo.district import DEMO_PASSWORD
from tests.browser.checks import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("username", ["admin", "yuanba", "yuanba-shequ"])
def test_board_ledger_and_confirmation(live_server, browser, shot, axe_source,
                                       username):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(live_server + "/admin/orders/")
    services = page.locator("#board-service option").all_inner_texts()
    assert len(services) == len(set(services))
    assert serious_violations(page, axe_source) == []
    shot(page, f"i13-board-{username}")

    page.goto(live_server + "/admin/ledger/")
    text = page.inner_text("main")
    assert "hours_issuance" not in text and "shift:" not in text
    assert serious_violations(page, axe_source) == []
    shot(page, f"i13-ledger-{username}")
    form = page.locator("form[action*='/reverse']").first
    if form.count():
        form.locator("input[name=reason]").fill("录错了")
        form.locator("button").click()
        page.wait_for_selector("[role=alertdialog]")
        assert "冲正" in page.inner_text("h1")
        assert serious_violations(page, axe_source) == []
        shot(page, f"i13-confirm-reverse-{username}")
        page.click("text=取消，保持原样")
        page.wait_for_url("**/admin/ledger/")
