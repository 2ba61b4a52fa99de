"""What browser tests of every kind share: axe-core's serious findings on a page, and an
administrator logged in through the real form."""

from __future__ import annotations

from server.demo.district import DEMO_PASSWORD


def serious_violations(page, axe_source: str) -> list:
    """axe-core's serious and critical violations on the page: (rule, impact, first targets)."""
    page.add_script_tag(content=axe_source)
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in report["violations"] if v["impact"] in ("serious", "critical")]


def admin_login(browser, live_server: str, username: str, *, width: int = 1280):
    """A new desktop page logged in as one of the demo's administrators, on the overview."""
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    return page
