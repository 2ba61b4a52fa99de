"""The kiosk touchscreen's questions in Chromium, against the real server: 点单, 评单 (and the
volunteer's completion by order code), 积分兑换, and an order placed while the server is down."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sqlalchemy import select

import qr
from tests.browser.kiosk_checks import check_page, open_kiosk
from tests.fixtures.kiosk import camera_frame, wait_until, write_frame, written

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _type_phone(page, phone: str) -> None:
    pad = page.locator("#f-phone .pad")
    for digit in phone:
        pad.get_by_role("button", name=digit, exact=True).click()


def _orders(db, phone):
    from server.orders.models import Order

    db.session.rollback()
    return db.session.scalars(select(Order).where(Order.phone == phone)).all()


def test_resident_orders_at_the_kiosk(kiosk, browser, shot, axe_source, db, menu,
                                      network):
    from server.codes.operations import code_url
    from server.orders.operations import order_code
    page = open_kiosk(browser, kiosk)
    shot(page, "kiosk-flow-idle-landscape")
    check_page(page, axe_source)
    page.get_by_role("button", name="我要点单").click()
    page.get_by_text("请选择服务项目").wait_for()
    shot(page, "kiosk-flow-menu-landscape")
    check_page(page, axe_source)
    page.get_by_role("button", name="助老陪护").click()

    # A wrong digit, corrected with 删除; 下一步 only once 11 digits make a mobile number.
    _type_phone(page, "1390")
    page.get_by_role("button", name="删除").click()
    assert page.get_by_role("button", name="下一步").is_disabled()
    _type_phone(page, "0001234")
    assert page.locator("#phone-display").inner_text() == "139 0001 234"
    assert page.get_by_role("button", name="下一步").is_disabled()  # still one digit short
    _type_phone(page, "59")  # the twelfth digit is not taken
    assert page.locator("#phone-display").inner_text() == "139 0001 2345"
    shot(page, "kiosk-flow-phone-landscape")
    check_page(page, axe_source)
    page.set_viewport_size({"width": 1080, "height": 1920})
    shot(page, "kiosk-flow-phone-portrait")
    check_page(page, axe_source)
    page.get_by_role("button", name="下一步").click()

    page.get_by_role("button", name="到我家里").click()
    page.locator("#note").fill("三楼，左手边")
    shot(page, "kiosk-flow-place-portrait")
    check_page(page, axe_source)
    page.get_by_role("button", name="下一步").click()
    assert page.locator("#sum-phone").inner_text() == "139 0001 2345"
    shot(page, "kiosk-flow-confirm-portrait")
    page.get_by_role("button", name="确认点单").click()

    page.get_by_text("点单成功").wait_for(timeout=20_000)
    page.wait_for_function("document.getElementById('rc-code').naturalWidth > 0")
    [order] = _orders(db, "13900012345")
    assert order.item_id == menu["care"].id and order.channel == "kiosk"
    assert order.site_id == network["library"].id and order.place == "到我家里"
    assert order.note == "三楼，左手边"
    assert order.number in page.locator("#rc-number").inner_text()
    shot(page, "kiosk-flow-receipt-portrait")
    check_page(page, axe_source)
    # The QR on screen is the order's code: a phone scanning it follows the order.
    png = page.locator("#rc-code").screenshot()
    frame = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert [c.text for c in qr.decode(frame)] == [code_url(order_code(order))]
    page.get_by_role("button", name="完成").click()
    page.get_by_role("button", name="我要点单").wait_for()
    page.close()


def test_an_order_placed_while_the_server_is_down_arrives_after_the_restart(
        kiosk, browser, shot, db, live_backend):
    page = open_kiosk(browser, kiosk)
    live_backend.stop()
    page.get_by_role("button", name="我要点单").click()
    page.get_by_role("button", name="电影放映").click()
    _type_phone(page, "13700007777")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认点单").click()
    page.get_by_text("网络暂时不通").wait_for(timeout=20_000)
    assert "137****7777" in page.locator("#rc-hint").inner_text()
    shot(page, "kiosk-flow-order-queued-landscape")
    assert kiosk.kiosk.store.count("pending") == 1
    live_backend.start()
    # The receipt appears on the same screen once the queued order reaches the server.
    page.get_by_text("点单成功").wait_for(timeout=30_000)
    [order] = _orders(db, "13700007777")
    assert order.channel == "kiosk" and order.number in page.locator("#rc-number").inner_text()
    assert kiosk.kiosk.store.count("pending") == 0
    page.close()


def _served_order(db, network, menu, teams, *, completed: bool):
    """An order of the library accepted by the team member (and completed, if asked)."""
    from server.codes.operations import code_url
    from server.orders import operations as ops

    with written(db):
        order = ops.place_order(site=network["library"], item=menu["care"], phone="13600001111")
        ops.accept(order, teams["member"])
        if completed:
            ops.complete(order, via="resident", actor="resident")
        url, number = code_url(ops.order_code(order)), order.number
    return number, url


def test_resident_rates_an_order_by_showing_its_code(kiosk, browser, shot, axe_source, db,
                                                     network, menu, teams):
    from server.orders.models import Order, Rating

    number, url = _served_order(db, network, menu, teams, completed=True)
    page = open_kiosk(browser, kiosk, landscape=False)
    write_frame(kiosk.camera, "b-order.png", camera_frame(url, seed=21))
    page.get_by_text("请为这次服务打分").wait_for(timeout=20_000)
    (kiosk.camera / "b-order.png").unlink()
    assert page.locator("#rate-service").inner_text() == "助老陪护"
    page.get_by_role("button", name="4 星").click()
    page.get_by_role("button", name="准时").click()
    page.get_by_role("button", name="耐心").click()
    page.locator("#comment").fill("很细心")
    shot(page, "kiosk-flow-rate-portrait")
    check_page(page, axe_source)
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "kiosk-flow-rate-landscape")
    check_page(page, axe_source)
    page.get_by_role("button", name="提交评价").click()
    page.locator("#result.ok").get_by_text("感谢您的评价").wait_for()

    def rated():
        db.session.rollback()
        return db.session.scalar(select(Rating).join(Order).where(Order.number == number))

    rating = wait_until(rated, message="the rating never reached the server")
    assert (rating.stars, rating.tags, rating.comment, rating.channel) == (
        4, ["准时", "耐心"], "很细心", "kiosk")
    page.close()


def test_volunteer_confirms_completion_then_the_resident_rates(kiosk, browser, shot, axe_source,
                                                               db, network, menu,
                                                               teams):
    from server.ledger.models import Transfer
    from server.orders.models import Order

    number, url = _served_order(db, network, menu, teams, completed=False)
    page = open_kiosk(browser, kiosk)
    write_frame(kiosk.camera, "b-order.png", camera_frame(url, seed=22))
    page.get_by_text("请志愿者确认：这次服务已经完成了吗？").wait_for(timeout=20_000)
    (kiosk.camera / "b-order.png").unlink()
    shot(page, "kiosk-flow-complete-landscape")
    check_page(page, axe_source)
    page.get_by_role("button", name="确认服务已完成").click()
    page.get_by_text("已确认服务完成").wait_for()
    shot(page, "kiosk-flow-completed-landscape")
    page.get_by_role("button", name="去评价").click()
    page.get_by_role("button", name="2 星").click()
    page.get_by_role("button", name="提交评价").click()
    page.locator("#result.ok").wait_for()

    def settled():
        db.session.rollback()
        order = db.session.scalar(select(Order).where(Order.number == number))
        return order if order.status == "rated" else None

    order = wait_until(settled, message="completion and rating never reached the server")
    assert order.is_flagged and order.rating.stars == 2  # a low rating asks for follow-up
    # Completion by the kiosk credited the volunteer's service hours.
    assert db.session.scalar(select(Transfer).where(Transfer.source_type == "order",
                                                    Transfer.source_id == str(order.id)))
    page.close()


def test_volunteer_redeems_points_at_the_kiosk(kiosk, browser, shot, axe_source, db,
                                               make_volunteers, catalog_item):
    from server.ledger import operations as ledger
    from server.ledger.models import Item, Redemption
    from server.shifts.models import Shift
    from server.volunteers.models import Volunteer

    [(number, name, url)] = make_volunteers(1)
    with written(db):
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.number == number))
        ledger.adjust(volunteer, 100, "测试积分")
    page = open_kiosk(browser, kiosk, landscape=False)
    page.get_by_role("button", name="积分兑换").click()
    page.locator("#f-redeem-wait").get_by_text("请把志愿者码对准摄像头").wait_for()
    shot(page, "kiosk-flow-redeem-wait-portrait")
    check_page(page, axe_source)
    write_frame(kiosk.camera, "b-card.png", camera_frame(url, seed=23))
    page.get_by_text(f"{name}，请选择要兑换的物品").wait_for(timeout=20_000)
    (kiosk.camera / "b-card.png").unlink()
    assert "30 分" in page.get_by_role("button", name="环保购物袋").inner_text()
    # The kiosk had never seen this card's balance: it asks the server while the list shows.
    page.locator("#catalog-balance").get_by_text("您的积分余额：100 分").wait_for()
    dear = page.get_by_role("button", name="爱心理发")
    assert dear.is_disabled() and "积分不足" in dear.inner_text()
    shot(page, "kiosk-flow-catalog-portrait")
    check_page(page, axe_source)
    page.get_by_role("button", name="环保购物袋").click()
    page.get_by_text("兑换「环保购物袋」，使用 30 积分？").wait_for()
    page.get_by_role("button", name="确认兑换").click()
    page.get_by_text("兑换成功，请领取物品").wait_for(timeout=20_000)
    assert page.locator("#rr-hint").inner_text() == "剩余积分：70 分"
    shot(page, "kiosk-flow-redeemed-portrait")
    check_page(page, axe_source)

    db.session.rollback()
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.number == number))
    assert ledger.balance(volunteer) == 70
    assert db.session.get(Item, catalog_item.id).stock == 4
    [redemption] = db.session.scalars(select(Redemption)).all()
    assert redemption.volunteer_id == volunteer.id and redemption.points == 30
    assert not ledger.verify()
    # Not a sign-in: the card read in redeem mode opened no shift.
    assert db.session.scalar(select(Shift)) is None
    page.close()
