"""The rhythm in the real browser, on the demo district: the kiosk idle screen showing the
next activities and the honor roll in turn (and again from its cache with the server gone),
and the elder-facing phone pages — 18 pt text, 60 px targets, no serious axe finding."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.browser.checks import serious_violations
from tests.browser.kiosk_checks import check_page
from tests.fixtures.kiosk import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def elder_check(page, axe: str, scope: str = "body") -> None:
    """No serious or critical axe finding; inside `scope`, visible text at least 24 px (18 pt)
    and every link, button and field at least 60 × 60 px."""
    bad = serious_violations(page, axe)
    assert bad == [], bad
    small = page.evaluate("""(scope) => [...document.querySelectorAll(scope + ' *')]
        .filter(el => el.offsetParent && [...el.childNodes].some(n => n.nodeType === 3 &&
                n.textContent.trim()) && parseFloat(getComputedStyle(el).fontSize) < 24)
        .map(el => el.tagName + ':' + el.textContent.trim().slice(0, 20))""", scope)
    assert small == [], small
    tiny = page.evaluate("""(scope) => [...document.querySelectorAll(
            scope + ' a, ' + scope + ' button, ' + scope + ' input, ' + scope + ' select, ' +
            scope + ' textarea')]
        .filter(el => el.offsetParent && el.type !== 'hidden').filter(el => {
            const r = el.getBoundingClientRect(); return r.width < 60 || r.height < 60;
        }).map(el => el.tagName + ':' + (el.id || el.textContent.trim().slice(0, 20)))""",
                         scope)
    assert tiny == [], tiny


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_kiosk_idle_screen_shows_activities_and_the_honor_roll(app, live_server, browser,
                                                                   shot, axe_source,
                                                                   tmp_path):
    from kiosk.app import KioskApp
    from server.codes.operations import code_url
    from server.core.db import writing
    from server.devices.operations import create_enrollment
    from server.extensions import db
    from server.sites.models import Site

    with app.app_context(), writing():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        _, code = create_enrollment(library)
        enrollment = code_url(code)
        db.session.commit()
    camera = tmp_path / "camera"
    camera.mkdir()
    kiosk = KioskApp(live_server, str(tmp_path / "data"), str(camera), port=0,
                     refresh_seconds=1.0)
    kiosk.sync.first_backoff = kiosk.sync.max_backoff = 0.3
    assert kiosk.kiosk.enroll(enrollment)
    kiosk.start()
    try:
        content = wait_until(lambda: kiosk.kiosk.store.get("idle"), timeout=30,
                             message="no idle content")
        assert content["activities"] and content["honorees"] and content["theme"]
        folder = tmp_path / "data" / "idle-photos"
        wait_until(lambda: len(list(folder.glob("*.jpg"))) >= len(content["honorees"]),
                   timeout=30, message="portraits not cached")

        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(kiosk.url)
        page.locator("#rhythm[data-page=activities]").wait_for()
        assert "周末亲子阅读会" in page.locator("#rh-list").inner_text()
        assert page.locator("#rh-theme").inner_text().startswith("本月主题：")
        shot(page, "rhythm-kiosk-activities-landscape")
        check_page(page, axe_source)

        page.evaluate("window.kioskIdle.next()")
        page.locator("#rhythm[data-page=honor]").wait_for()
        page.wait_for_function("document.getElementById('rh-photo').naturalWidth > 0")
        first = page.locator("#rh-name").inner_text()
        assert first == content["honorees"][0]["name"]
        assert "身边好人" in page.locator("#rh-kind").inner_text()
        shot(page, "rhythm-kiosk-honor-landscape")
        check_page(page, axe_source)
        page.set_viewport_size({"width": 1080, "height": 1920})
        page.evaluate("window.kioskIdle.next()")
        page.wait_for_function("document.getElementById('rh-photo').naturalWidth > 0")
        assert page.locator("#rh-name").inner_text() == content["honorees"][1]["name"]
        shot(page, "rhythm-kiosk-honor-portrait")
        check_page(page, axe_source)
        page.close()
    finally:
        kiosk.stop()

    # The kiosk restarts with no network at all: the idle screen still has it all.
    offline = KioskApp("http://127.0.0.1:9", str(tmp_path / "data"), str(camera), port=0,
                       refresh_seconds=3600.0)
    offline.sync.first_backoff = offline.sync.max_backoff = 60
    offline.start()
    try:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(offline.url)
        page.locator("#rhythm[data-page=activities]").wait_for()
        page.evaluate("window.kioskIdle.next()")
        page.wait_for_function("document.getElementById('rh-photo').naturalWidth > 0")
        assert page.locator("#rh-name").inner_text() == content["honorees"][0]["name"]
        shot(page, "rhythm-kiosk-honor-offline")
        page.close()
    finally:
        offline.stop()


def test_the_rhythms_phone_pages_are_elder_friendly(app, live_server, browser, shot,
                                                    axe_source):
    from server.activities.models import Activity
    from server.codes.operations import code_url, point_code
    from server.core.db import writing
    from server.core.timeutil import utcnow
    from server.extensions import db
    from server.honors.models import Honoree
    from server.rooms.models import Room
    from server.sites.models import Site
    from server.volunteers.logins import issue_login_link
    from server.volunteers.models import Volunteer

    with app.app_context(), writing():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        landing = _path(code_url(point_code(library)))
        reading = db.session.scalar(select(Activity).where(
            Activity.site_id == library.id, Activity.starts_at > utcnow())
            .order_by(Activity.starts_at))
        honoree = db.session.scalar(select(Honoree).where(Honoree.status == "approved"))
        room = db.session.scalar(select(Room).join(Site, Site.id == Room.site_id)
                                 .where(Site.name == "书画室"))
        room_landing = _path(code_url(point_code(room.site)))
        volunteer = db.session.scalar(select(Volunteer).where(
            Volunteer.number == "ZH2024000001"))
        _, token = issue_login_link(volunteer)
        db.session.commit()
        reading_id, honoree_id, room_id = reading.id, honoree.id, room.id

    page = browser.new_page(**PHONE)
    page.goto(live_server + landing)
    assert page.locator("h1").inner_text() == "区图书馆"
    assert "周末亲子阅读会" in page.inner_text(".rh-landing")
    shot(page, "rhythm-phone-landing")
    elder_check(page, axe_source, ".rh-landing")

    page.goto(f"{live_server}/activities/{reading_id}")
    shot(page, "rhythm-phone-activity")
    elder_check(page, axe_source)
    page.fill("#name", "刘奶奶")
    page.fill("#phone", "13908129999")
    page.get_by_role("button", name="报名").click()
    page.wait_for_url("**/activities/r/**")
    assert "名额已确认" in page.inner_text("body") or "候补中" in page.inner_text("body")
    shot(page, "rhythm-phone-registration")
    elder_check(page, axe_source)

    page.goto(f"{live_server}/honors/{honoree_id}")
    page.wait_for_function("document.querySelector('.rh-portrait')?.naturalWidth > 0")
    shot(page, "rhythm-phone-honoree")
    elder_check(page, axe_source)

    page.goto(live_server + room_landing)
    assert "预约这间功能室" in page.inner_text(".rh-landing")
    elder_check(page, axe_source, ".rh-landing")
    page.get_by_text("预约这间功能室").click()
    page.wait_for_url(f"**/rooms/{room_id}/book")
    shot(page, "rhythm-phone-room-book")
    elder_check(page, axe_source)
    page.fill("#purpose", "书法交流")
    page.fill("#contact_name", "陈玉梅")
    page.fill("#phone", "13908129998")
    page.fill("#starts", "15:00")
    page.fill("#ends", "16:00")
    page.get_by_role("button", name="提交预约").click()
    page.wait_for_url("**/rooms/b/**")
    assert "等待单位审核" in page.inner_text("body") or "已被预约" in page.inner_text("body")
    shot(page, "rhythm-phone-room-booking")
    elder_check(page, axe_source)

    page.goto(f"{live_server}/v/link/{token}")
    page.locator("form button[type=submit]").first.click()
    page.goto(live_server + "/v/activities")
    assert "提醒" in page.inner_text("body")
    shot(page, "rhythm-phone-my-activities")
    elder_check(page, axe_source)
    page.get_by_role("button", name="生成我的日历链接").click()
    assert "/calendar/v/" in page.locator("#feed-url").inner_text()
    shot(page, "rhythm-phone-calendar-link")
    elder_check(page, axe_source)
    page.close()
