"""The phone pages residents and volunteers met in issue 15, in the real browser at 390×844: the
poster landing with and without a kiosk, the receipt through its states, the order code after
completion, notices, shifts, points, the welcome page and typing a short code. Every page: no
serious or critical axe-core violation, one h1, every button a 60×60 target."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.browser.checks import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def check_phone(page, axe_source: str) -> None:
    bad = serious_violations(page, axe_source)
    assert bad == [], (page.url, bad)
    assert page.locator("h1").count() == 1, page.url
    small = page.evaluate("""() => [...document.querySelectorAll(
            'main button, main .button, main summary, header .who a')]
        .filter(el => el.offsetParent).map(el => [el.textContent.trim(),
            el.getBoundingClientRect().width, el.getBoundingClientRect().height])
        .filter(([, w, h]) => w < 60 || h < 60)""")
    assert small == [], (page.url, small)


def _setup(app) -> dict:
    """The library's poster, a volunteer with a login link and some history, a catalog."""
    from server.codes.operations import code_url, point_code
    from server.core.db import writing
    from server.core.timeutil import utcnow
    from server.extensions import db
    from server.ledger import operations as ledger
    from server.ledger.models import Item
    from server.shifts.models import Shift
    from server.sites.models import Site
    from server.volunteers import operations as vols
    from server.volunteers.logins import issue_login_link

    with app.app_context(), writing():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        volunteer = vols.create_volunteer(name="刘春梅", phone="13911112222", site=library)
        start = utcnow() - timedelta(days=2)
        shifts = [Shift(volunteer_id=volunteer.id, site_id=library.id, started_at=start,
                        ended_at=start + timedelta(minutes=150), start_method="kiosk",
                        is_verified=True, credited_minutes=150),
                  Shift(volunteer_id=volunteer.id, site_id=library.id,
                        started_at=start + timedelta(days=1),
                        ended_at=start + timedelta(days=1, minutes=60), start_method="poster",
                        credited_minutes=60, review="pending", flags=["unverified"])]
        db.session.add_all(shifts)
        db.session.flush()
        ledger.credit_shift(shifts[0])
        db.session.add_all([Item(site_id=library.id, name="爱心超市 食用油 1L", cost_points=20),
                            Item(site_id=library.id, name="电影票两张", cost_points=60)])
        _, token = issue_login_link(volunteer)
        code = point_code(library)
        db.session.commit()
        return {"library_id": library.id, "poster": urlsplit(code_url(code)).path,
                "short": code.short_code, "volunteer_id": volunteer.id, "link": token}


def _enroll_kiosk(app, site_id: int) -> None:
    from server.codes.operations import code_url
    from server.core.db import writing
    from server.devices import operations as devices
    from server.extensions import db
    from server.sites.models import Site

    with app.app_context(), writing():
        _, code = devices.create_enrollment(db.session.get(Site, site_id))
        devices.enroll(code_url(code))
        db.session.commit()


def _dispatch(app, number: str, volunteer_id: int) -> str:
    from server.codes.operations import code_url
    from server.core.db import writing
    from server.extensions import db
    from server.orders import dispatch, operations
    from server.volunteers.models import Volunteer

    with app.app_context(), writing():
        order = operations.get_order(number)
        dispatch.dispatch(order, volunteer=db.session.get(Volunteer, volunteer_id), actor="test")
        path = urlsplit(code_url(operations.order_code(order))).path
        db.session.commit()
        return path


def test_people_on_their_phones(app, live_server, browser, shot, axe_source):
    data = _setup(app)
    resident = browser.new_page(**PHONE)

    # The poster: 点单 first and large; no kiosk here, so the poster sign-in is offered.
    resident.goto(live_server + data["poster"])
    first = resident.locator("main a.button, main button").first
    assert "预约志愿服务" in first.inner_text() and first.bounding_box()["height"] >= 60
    english = resident.locator("header .who a[lang=en]")
    assert english.bounding_box()["width"] >= 60 and english.bounding_box()["height"] >= 60
    assert resident.get_by_text("这里没有服务终端").count() == 1
    check_phone(resident, axe_source)
    shot(resident, "people-01-landing-no-kiosk")
    _enroll_kiosk(app, data["library_id"])
    resident.reload()
    assert resident.get_by_text("这里没有服务终端").count() == 0
    resident.get_by_text("服务终端用不了？").click()
    check_phone(resident, axe_source)
    shot(resident, "people-02-landing-with-kiosk")

    # 点单 and the receipt while it waits.
    first.click()
    resident.get_by_text("阅读推广进村").click()
    resident.fill("#phone", "13812345678")
    resident.get_by_role("button", name="提交预约").click()
    number = resident.locator("h1.number").inner_text().strip()
    receipt = resident.url
    check_phone(resident, axe_source)
    shot(resident, "people-03-receipt-waiting")

    # The volunteer: the notice is shown and stays until 知道了.
    code_path = _dispatch(app, number, data["volunteer_id"])
    volunteer = browser.new_page(**PHONE)
    volunteer.goto(f"{live_server}/v/link/{data['link']}")
    volunteer.locator("form button[type=submit]").first.click()
    volunteer.goto(live_server + "/v/orders")
    notices = volunteer.locator(".notices")
    assert number in notices.inner_text() and "新订单派给您" in notices.inner_text()
    check_phone(volunteer, axe_source)
    shot(volunteer, "people-04-tasks-with-notices")
    volunteer.reload()
    assert volunteer.locator(".notices").count() == 1  # a page load reads nothing away
    volunteer.get_by_role("button", name="知道了").click()
    assert volunteer.locator(".notices").count() == 0
    volunteer.locator(f"#order-{number}").get_by_role("button", name="接单").click()
    volunteer.locator(f"#order-{number}").get_by_role("button", name="开始服务").click()
    check_phone(volunteer, axe_source)
    shot(volunteer, "people-05-tasks-serving")

    # Completing by the code, then opening the code again: no receipt for the volunteer.
    volunteer.goto(live_server + code_path)
    check_phone(volunteer, axe_source)
    volunteer.get_by_role("button", name="确认服务已完成").click()
    volunteer.goto(live_server + code_path)
    assert volunteer.get_by_text("打开回执").count() == 0
    assert "只能由群众本人评价" in volunteer.locator("main").inner_text()
    check_phone(volunteer, axe_source)
    shot(volunteer, "people-06-order-code-after-completion")

    # The resident rates with one star and says what went wrong.
    resident.goto(receipt)
    assert resident.locator("#status").inner_text() == "已完成"
    resident.locator("[data-stars='1']").click()
    resident.get_by_role("button", name="来晚了").click()
    check_phone(resident, axe_source)
    shot(resident, "people-07-rating-one-star")
    resident.get_by_role("button", name="提交评价").click()
    assert resident.locator("#status").inner_text() == "已评价"
    assert resident.locator(".ordercode").count() == 0
    assert "感谢您的评价" in resident.locator("#receipt-hint").inner_text()
    check_phone(resident, axe_source)
    shot(resident, "people-08-receipt-rated")

    # The volunteer's records: shifts with totals, points with units and what cannot be bought.
    volunteer.goto(live_server + "/v/shifts/")
    assert "待审核" in volunteer.locator(".totals").inner_text()
    check_phone(volunteer, axe_source)
    shot(volunteer, "people-09-my-shifts")
    volunteer.goto(live_server + "/v/points")
    lines = volunteer.evaluate("""() => [...document.querySelectorAll('.ledger-list .cost')]
        .map(e => { const r = document.createRange(); r.selectNodeContents(e);
                    return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; })""")
    assert lines and set(lines) == {1}, lines  # "60 积分" never wraps into two lines
    assert "还差" in volunteer.locator(".ledger-list li.unaffordable").first.inner_text()
    check_phone(volunteer, axe_source)
    shot(volunteer, "people-10-my-points")

    # A cancelled receipt, the welcome page, and a short code typed as an input method does.
    other = browser.new_page(**PHONE)
    other.goto(f"{live_server}/orders/new/{data['library_id']}")
    other.get_by_text("阅读推广进村").click()
    other.fill("#phone", "13812345679")
    other.get_by_role("button", name="提交预约").click()
    other.get_by_text("取消此订单").click()
    other.fill("#cancel-reason", "已经不需要了")
    other.get_by_role("button", name="取消订单").click()
    assert "这张订单已取消" in other.locator("#receipt-hint").inner_text()
    check_phone(other, axe_source)
    shot(other, "people-11-receipt-cancelled")
    other.goto(live_server + "/v/welcome")
    assert other.locator("a[href='/v/login']").count() == 1
    check_phone(other, axe_source)
    shot(other, "people-12-welcome")
    other.goto(live_server + "/s/")
    check_phone(other, axe_source)
    _, site, version = data["short"].split("-")
    other.fill("#code", f"ＺＨ－{site}－{version}")
    other.get_by_role("button", name="打开").click()
    assert other.locator("h1").inner_text() == "区图书馆"
    shot(other, "people-13-short-code-typed")
