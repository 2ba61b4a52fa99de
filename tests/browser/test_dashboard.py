"""The dashboard in a real browser: log in, browse the district, create a point, switch language."""

from __future__ import annotations

import pytest

from server.demo.district import DEMO_PASSWORD, TOWNS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_district_admin_walks_the_network(live_server, browser, shot):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(live_server + "/admin/")
    assert page.url.startswith(live_server + "/login")
    shot(page, "01-login")
    page.fill("#username", "admin")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    figures = page.locator(".stat").all_inner_texts()
    assert any(f.startswith("12") and "实践所" in f for f in figures), figures
    assert any(f.startswith("300") and "志愿者" in f for f in figures), figures
    shot(page, "02-overview")

    page.click("text=阵地网络")
    rows = page.locator("tbody tr")
    institutes = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    for town in TOWNS:
        assert f"{town}新时代文明实践所" in institutes
    shot(page, "03-network")

    page.click("text=新增实践点")
    page.fill("#name", "昭化古城游客中心")
    page.fill("#address", "四川省广元市昭化区昭化镇")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已创建“昭化古城游客中心”")
    assert page.locator("h1").inner_text().startswith("昭化古城游客中心")
    shot(page, "04-created-point")

    page.click("text=English")
    page.wait_for_selector("text=Log out")
    assert "Edit" in page.locator(".card:has(h1) > .actions").inner_text()  # the site's own
    shot(page, "05-english")
    page.click("text=中文")
    page.wait_for_selector("text=退出登录")


def test_bad_input_shows_a_clear_message(live_server, browser, shot):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/login")
    page.fill("#username", "yuanba-shequ")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.click("text=打开阵地网络")
    page.click("text=新增实践点")
    page.fill("#name", "名" * 70)
    page.click("button:has-text('保存')")
    assert "名称太长" in page.locator(".field-error").inner_text()
    shot(page, "06-form-error")
    response = page.goto(live_server + "/admin/sites/1")
    assert response.status == 404  # outside the subtree reads as missing
    assert "没有这个站点" in page.inner_text("body")
