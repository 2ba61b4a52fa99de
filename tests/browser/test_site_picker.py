"""The site picker in a real browser, for each kind of administrator: a typeahead over one's
own subtree that fills the form, keyboard only; axe-core finds nothing serious. Without
JavaScript the same field is a select of the subtree."""

from __future__ import annotations

import pytest

from server.demo.district import DEMO_PASSWORD
from tests.browser.checks import admin_login, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROLES = [("admin", "区图书馆", "火星基地"), ("yuanba", "元坝社区", "卫子"),
         ("yuanba-shequ", "元坝社区", "区图书馆")]


@pytest.mark.parametrize(("username", "mine", "elsewhere"), ROLES)
def test_pick_a_site_by_name(live_server, browser, shot, axe_source, username,
                             mine, elsewhere):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(live_server + "/admin/shifts/new")
    box = page.get_by_role("combobox", name="站点", exact=True)
    box.click()
    box.fill(elsewhere)
    # Not in my subtree: the answer to this question is "no site matches", said beside the list.
    status = page.locator("#pick-site_id-list-status")
    status.get_by_text("没有匹配的站点").wait_for()
    assert page.locator("#pick-site_id-list").is_hidden()
    box.fill(mine)
    page.wait_for_selector(f"#pick-site_id-list [role=option]:has-text('{mine}')")
    assert status.inner_text() == ""
    box.press("ArrowDown")
    shot(page, f"site-picker-{username}")
    assert serious_violations(page, axe_source) == []
    box.press("Enter")
    chosen = page.eval_on_selector("select[name=site_id]", "s => s.options[s.selectedIndex].text")
    assert mine in chosen and box.input_value().startswith(mine)
    assert "站点编号" not in page.inner_text("body")


def test_without_javascript_it_is_a_select(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "yuanba")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server + "/admin/shifts/new")
    options = page.locator("select[name=site_id] option").all_inner_texts()
    assert any("元坝社区" in o for o in options)
    assert not any("卫子" in o for o in options)
    assert page.get_by_label("站点", exact=True).count() == 1
    context.close()


def test_an_activity_is_planned_at_a_site_found_by_name(live_server, browser, shot, axe_source):
    """The activity form (converted from a select of the whole subtree): an institute admin
    types part of a station's name, picks it with the keyboard and saves; the activity is
    at that station."""
    page = admin_login(browser, live_server, "yuanba")
    page.goto(live_server + "/admin/activities/new")
    page.fill("#title", "读书分享会")
    box = page.get_by_role("combobox", name="站点", exact=True)
    box.click()
    box.fill("卫子")  # another town's: not mine
    page.locator("#site_id-list-status").get_by_text("没有匹配的站点").wait_for()
    box.fill("元坝社区")
    page.wait_for_selector("#site_id-list [role=option]:has-text('元坝社区')")
    box.press("ArrowDown")
    shot(page, "site-picker-activity-form")
    assert serious_violations(page, axe_source) == []
    box.press("Enter")
    assert box.input_value().startswith("元坝社区")
    page.fill("#starts_at", "2030-05-03T09:00")
    page.fill("#ends_at", "2030-05-03T11:00")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/admin/activities/*")
    assert "元坝社区新时代文明实践站" in page.inner_text("main")


def test_a_room_picker_finds_units_only(live_server, browser, axe_source):
    """A room belongs to a unit: the district's service points are in the admin's subtree but
    the building picker does not find them; the stations it does."""
    page = admin_login(browser, live_server, "admin")
    page.goto(live_server + "/admin/rooms/")
    box = page.get_by_role("combobox", name="所在场馆", exact=True)
    box.click()
    box.fill("区图书馆")  # a service point of the center
    page.locator("#building_id-list-status").get_by_text("没有匹配的站点").wait_for()
    box.fill("元坝社区")
    page.wait_for_selector("#building_id-list [role=option]:has-text('元坝社区')")
    assert serious_violations(page, axe_source) == []
