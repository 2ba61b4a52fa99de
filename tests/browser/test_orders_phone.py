"""The order loop in the real browser: a phone orders from a point's page and sees the receipt,
a volunteer accepts and confirms by the order code, the resident rates."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from server.demo.district import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def _library_code_path(app) -> str:
    from server.codes.operations import code_url, point_code
    from server.extensions import db
    from server.sites.models import Site

    with app.app_context():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        return urlsplit(code_url(point_code(library))).path


def _dispatch_to_new_volunteer(app, number: str) -> tuple[str, str]:
    """An admin dispatches the order by hand to a volunteer, who gets a phone login link."""
    from server.codes.operations import code_url
    from server.core.db import writing
    from server.extensions import db
    from server.orders import dispatch, operations
    from server.volunteers import operations as vols
    from server.volunteers.logins import issue_login_link

    with app.app_context(), writing():
        order = operations.get_order(number)
        volunteer = vols.create_volunteer(name="刘春梅", phone="13911112222",
                                          site=order.site.parent)
        dispatch.dispatch(order, volunteer=volunteer, actor="test")
        _, token = issue_login_link(volunteer)
        code_path = urlsplit(code_url(operations.order_code(order))).path
        db.session.commit()
        return token, code_path


def test_phone_orders_volunteer_serves_resident_rates(app, live_server, browser, shot):
    resident = browser.new_page(**PHONE)
    resident.goto(live_server + _library_code_path(app))
    resident.get_by_text("预约志愿服务").click()
    assert "区图书馆" in resident.locator("h1").inner_text()
    resident.get_by_text("阅读推广进村").click()
    resident.fill("#phone", "13812345678")
    resident.fill("#place", "区图书馆二楼阅览室")
    resident.fill("#note", "想给村里老人借些大字书")
    shot(resident, "orders-01-phone-form")
    resident.get_by_role("button", name="提交预约").click()
    number = resident.locator(".number").inner_text().strip()
    assert len(number) == 11 and resident.locator("svg").count() >= 1
    receipt_url = resident.url
    shot(resident, "orders-02-phone-receipt")

    token, code_path = _dispatch_to_new_volunteer(app, number)
    volunteer = browser.new_page(**PHONE)
    volunteer.goto(f"{live_server}/v/link/{token}")
    volunteer.locator("form button[type=submit]").first.click()
    volunteer.goto(live_server + "/v/orders")
    card = volunteer.locator(f"#order-{number}")
    assert "阅读推广进村" in card.inner_text()
    shot(volunteer, "orders-03-volunteer-tasks")
    card.get_by_role("button", name="接单").click()
    assert "接单成功" in volunteer.locator(".flash").inner_text()
    volunteer.locator(f"#order-{number}").get_by_role("button", name="开始服务").click()
    volunteer.goto(live_server + code_path)  # the camera app opens the scanned order code
    shot(volunteer, "orders-04-volunteer-scanned-code")
    volunteer.get_by_role("button", name="确认服务已完成").click()
    assert "已完成" in volunteer.locator(".flash").inner_text()

    resident.goto(receipt_url)
    assert resident.locator("#status").inner_text() == "已完成"
    resident.locator("[data-stars='5']").click()
    resident.get_by_role("button", name="耐心").click()
    resident.fill("#comment", "很热心，谢谢！")
    shot(resident, "orders-05-phone-rating")
    resident.get_by_role("button", name="提交评价").click()
    assert resident.locator("#status").inner_text() == "已评价"
    assert "★★★★★" in resident.locator(".stars-shown").inner_text()
    shot(resident, "orders-06-phone-rated")


@pytest.mark.app_config({"OPEN311_API_KEYS": "city-app"})
def test_an_open311_report_without_phone_reads_no_callback(app, live_server, browser, shot,
                                                           axe_source):
    """Over real HTTP, in the spec's XML: a report without phone; the volunteer who accepts it
    and the admin who opens it see that there is no one to call back."""
    from urllib.parse import urlencode
    from urllib.request import urlopen

    from defusedxml import ElementTree as SafeET

    from server.extensions import db
    from server.orders.models import ServiceItem
    from server.sites.models import Site

    with app.app_context():
        item = db.session.scalar(select(ServiceItem).where(ServiceItem.name == "阅读推广进村"))
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        form = {"api_key": "city-app", "service_code": str(item.id),
                "address_id": str(library.id), "description": "门口台阶松动"}
    with urlopen(f"{live_server}/open311/v2/requests.xml", urlencode(form).encode()) as answer:
        assert answer.headers["Content-Type"].startswith("text/xml")
        root = SafeET.fromstring(answer.read())
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text

    token, _ = _dispatch_to_new_volunteer(app, number)
    volunteer = browser.new_page(**PHONE)
    volunteer.goto(f"{live_server}/v/link/{token}")
    volunteer.locator("form button[type=submit]").first.click()
    volunteer.goto(live_server + "/v/orders")
    volunteer.locator(f"#order-{number}").get_by_role("button", name="接单").click()
    card = volunteer.locator(f"#order-{number}")
    line = card.locator(".no-callback")
    assert "无法回电" in line.inner_text() and "报告人未留电话" in line.inner_text()
    assert line.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 24  # 18 pt
    assert card.locator("a[href^='tel:']").count() == 0
    shot(volunteer, "orders-07-volunteer-no-callback")
    volunteer.add_script_tag(content=axe_source)
    report = volunteer.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in report["violations"] if v["impact"] in ("serious", "critical")] == []

    admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin.goto(live_server + "/login")
    admin.fill("#username", "admin")
    admin.fill("#password", DEMO_PASSWORD)
    admin.click("button[type=submit]")
    admin.wait_for_url("**/admin/")
    admin.goto(f"{live_server}/admin/orders/{number}")
    assert "无法回电" in admin.locator(".facts").inner_text()
    shot(admin, "orders-08-admin-no-callback")
