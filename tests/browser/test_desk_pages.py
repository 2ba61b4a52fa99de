"""Issue 13's edit forms and the site page in a real browser, for each kind of administrator:
a menu line, a reward and a team edited (a bad value refused beside its field first), a
team's deactivation asked first, a site's page with its code, kiosks, shifts and orders;
axe-core finds nothing serious or critical on any of them."""

from __future__ import annotations

import pytest

from tests.browser.checks import admin_login, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("username", ["admin", "yuanba", "yuanba-shequ"])
def test_site_page(live_server, browser, shot, axe_source, username):
    page = admin_login(browser, live_server, username)
    page.goto(live_server + "/admin/sites/")
    for panel in ("#site-code", "#site-kiosks", "#site-shifts", "#site-orders"):
        assert page.locator(panel).count() == 1, panel
    assert "服务码" in page.inner_text("#site-code h2")
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-site-{username}")


@pytest.mark.parametrize("username", ["admin", "yuanba"])
def test_edit_a_menu_line(live_server, browser, shot, axe_source, username):
    page = admin_login(browser, live_server, username)
    page.goto(live_server + "/admin/orders/menu")
    page.locator("a.button:has-text('编辑')").first.click()
    page.wait_for_selector("h1:has-text('编辑服务项目')")
    page.fill("#expected_minutes", "5000")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".field-error")
    assert "1 到 1440 分钟" in page.inner_text(".field-error")
    assert page.get_attribute("#expected_minutes", "aria-invalid") == "true"
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-menu-edit-refused-{username}")
    page.fill("#expected_minutes", "90")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".flash.success")
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-menu-{username}")


def test_edit_a_reward(live_server, browser, shot, axe_source):
    page = admin_login(browser, live_server, "admin")
    page.goto(live_server + "/admin/ledger/catalog")
    page.locator("a.button:has-text('编辑')").first.click()
    page.wait_for_selector("h1:has-text('编辑兑换物品')")
    page.fill("#cost_points", "0")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".field-error")
    assert page.get_attribute("#cost_points", "aria-invalid") == "true"
    assert serious_violations(page, axe_source) == []
    shot(page, "desk-catalog-edit-refused")
    page.fill("#cost_points", "50")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".flash.success")


@pytest.mark.parametrize(("username", "team"), [("admin", "党员先锋志愿服务分队"),
                                                ("yuanba", "元坝镇志愿服务队")])
def test_edit_and_deactivate_a_team(live_server, browser, shot, axe_source, username, team):
    page = admin_login(browser, live_server, username)
    page.goto(live_server + "/admin/teams/")
    page.click(f"a:has-text('{team}')")
    page.click("a:has-text('编辑队伍')")
    page.wait_for_selector("h1:has-text('编辑队伍')")
    page.fill("#name", "")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".field-error")
    assert "请填写队伍名称" in page.inner_text(".field-error")
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-team-edit-refused-{username}")
    page.fill("#name", team + "（新）")
    page.fill("#description", "每周五集中活动")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".flash.success")
    assert team + "（新）" in page.inner_text("h1")
    page.click("button:has-text('停用队伍')")
    page.wait_for_selector("[role=alertdialog]")
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-team-deactivate-confirm-{username}")
    page.click("[role=alertdialog] button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "已停用" in page.inner_text("h1")


def test_bulk_join_a_team_with_progress(live_server, browser, shot, axe_source):
    page = admin_login(browser, live_server, "yuanba")
    page.goto(live_server + "/admin/volunteers/")
    boxes = page.locator("input[type=checkbox][form=bulk-volunteers]")
    for i in range(4):
        boxes.nth(i).check()
    assert not page.locator("#bulk-team").is_visible()  # printing needs no team
    page.select_option("#bulk-action", "join")
    assert page.locator("#bulk-team").is_visible()
    team = page.locator("#bulk-team option").nth(1)  # a branch team (the general one first)
    page.select_option("#bulk-team", team.get_attribute("value"))
    page.click("#bulk-volunteers button[type=submit]")
    page.wait_for_selector("#bulk-summary p:has-text('名志愿者已加入队伍')")
    assert "已处理 4 / 4" in page.inner_text("#bulk-progress-text")
    assert serious_violations(page, axe_source) == []
    shot(page, "desk-bulk-join")
    # The same four again: each is already in the team, and says so.
    page.click("#bulk-volunteers button[type=submit]")
    page.wait_for_selector("#bulk-summary li:has-text('已在该队伍中')")
    assert page.locator("#bulk-summary li:has-text('已在该队伍中')").count() == 4


@pytest.mark.parametrize("username", ["yuanba", "yuanba-shequ"])
def test_bulk_print_and_deactivate_with_progress(live_server, browser, shot, axe_source,
                                                 username):
    page = admin_login(browser, live_server, username)
    page.goto(live_server + "/admin/volunteers/")
    boxes = page.locator("input[type=checkbox][form=bulk-volunteers]")
    assert boxes.count() >= 3
    for i in range(3):
        boxes.nth(i).check()
    page.select_option("#bulk-action", "print")
    page.click("#bulk-volunteers button[type=submit]")
    page.wait_for_selector("#bulk-summary a[download]")
    assert "已处理 3 / 3" in page.inner_text("#bulk-progress-text")
    assert "共 3 张证卡" in page.inner_text("#bulk-summary")
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-bulk-print-{username}")
    boxes.nth(2).uncheck()
    page.once("dialog", lambda dialog: dialog.accept())
    page.select_option("#bulk-action", "deactivate")
    page.click("#bulk-volunteers button[type=submit]")
    page.wait_for_selector("#bulk-summary p:has-text('已停用 2 名志愿者')")
    assert serious_violations(page, axe_source) == []
    shot(page, f"desk-bulk-deactivate-{username}")
    page.reload()  # the list no longer shows them (deactivated ones are left out by default)
    page.locator("input[type=checkbox][form=bulk-volunteers]").first.check()
    page.select_option("#bulk-action", "deactivate")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#bulk-volunteers button[type=submit]")
    assert page.locator("#bulk-summary").inner_text() == ""  # dismissed: nothing was sent
