"""What every kiosk screen must pass in the browser: axe-core, text size, target size."""

from __future__ import annotations

from tests.browser.checks import serious_violations


def check_page(page, axe_source: str) -> None:
    """No serious or critical axe violations; visible text >= 24 px; buttons >= 64 px."""
    bad = serious_violations(page, axe_source)
    assert bad == [], bad
    small = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        if (!el.offsetParent || ![...el.childNodes].some(n => n.nodeType === 3 &&
            n.textContent.trim())) return false;
        return parseFloat(getComputedStyle(el).fontSize) < 24;
    }).map(el => el.id || el.tagName)""")
    assert small == []
    tiny = page.evaluate("""() => [...document.querySelectorAll('button, a')]
        .filter(el => el.offsetParent).filter(el => {
            const r = el.getBoundingClientRect(); return r.width < 64 || r.height < 64;
        }).map(el => el.id)""")
    assert tiny == []


def open_kiosk(browser, kiosk, landscape=True):
    """The kiosk's page in a new browser page, its menu shown."""
    size = {"width": 1920, "height": 1080} if landscape else {"width": 1080, "height": 1920}
    page = browser.new_page(viewport=size)
    page.goto(kiosk.url)
    page.get_by_role("button", name="我要点单").wait_for()
    return page
