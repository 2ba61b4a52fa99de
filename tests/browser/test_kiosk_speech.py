"""The kiosk speaks, in Chromium against the real server: a question is said as it opens, a
result with its 再听一遍 button, an order still waiting for a volunteer is a calm information
screen (not the red error), and a muted kiosk hides the button."""

# ruff: noqa: F811  (pytest fixtures imported by name)
from __future__ import annotations

import time
import types

import pytest
from sqlalchemy import select

from tests.browser.kiosk_checks import check_page, open_kiosk
from tests.fixtures.kiosk import camera_frame, wait_until, write_frame, written

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _said(page) -> str:
    return page.evaluate("document.body.dataset.said || ''")


def test_the_kiosk_says_each_question_and_result(kiosk, browser, shot, axe_source, db,
                                                 network, menu, teams, make_volunteers,
                                                 monkeypatch):
    from server.codes.operations import code_url
    from server.orders import operations as ops

    page = open_kiosk(browser, kiosk)
    # A question is said as it opens, from the committed recording.
    page.get_by_role("button", name="我要点单").click()
    page.get_by_text("请选择服务项目").wait_for()
    assert _said(page) == "pick_service"
    wav = page.request.get(kiosk.url + "sounds/pick_service.wav")
    assert wav.status == 200 and wav.headers["content-type"] == "audio/wav"
    assert wav.body()[:4] == b"RIFF" and wav.body()[8:12] == b"WAVE"
    assert page.request.get(kiosk.url + "sounds/..%2Fkiosk.wav").status == 404
    page.get_by_role("button", name="助老陪护").click()
    page.wait_for_function("document.body.dataset.said === 'enter_phone'")
    page.get_by_role("button", name="返回").click()
    page.get_by_role("button", name="返回").click()

    # An order code still waiting for a volunteer: information, calmly, with its words.
    with written(db):
        order = ops.place_order(site=network["library"], item=menu["care"], phone="13600002222")
        url = code_url(ops.order_code(order))
    write_frame(kiosk.camera, "b-order.png", camera_frame(url, seed=31))
    info = page.locator("#result.info")
    info.wait_for(timeout=20_000)
    (kiosk.camera / "b-order.png").unlink()
    assert "还在等志愿者接单" in info.inner_text()
    assert page.locator("#result.bad").count() == 0
    assert _said(page) == "order_waiting"
    again = page.locator("#r-again")
    box = again.bounding_box()
    assert again.inner_text() == "再听一遍" and box["width"] >= 80 and box["height"] >= 80
    shot(page, "kiosk-speech-waiting-info-landscape")
    check_page(page, axe_source)
    page.set_viewport_size({"width": 1080, "height": 1920})
    shot(page, "kiosk-speech-waiting-info-portrait")
    check_page(page, axe_source)
    page.evaluate("document.body.dataset.said = ''")
    again.click()
    assert _said(page) == "order_waiting"  # said again
    page.get_by_role("button", name="好的").click()

    # A volunteer's card: 签到成功 is said; the name is shown, never said.
    (number, name, card), = make_volunteers(1)
    kiosk.sync.refresh()
    write_frame(kiosk.camera, "c-card.png", camera_frame(card, seed=32))
    page.locator("#result.ok").get_by_text("签到成功").wait_for(timeout=20_000)
    (kiosk.camera / "c-card.png").unlink()
    assert _said(page) == "signed_in"
    assert name in page.locator("#r-name").inner_text()
    shot(page, "kiosk-speech-signed-in-portrait")
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "kiosk-speech-signed-in-landscape")
    check_page(page, axe_source)
    page.get_by_role("button", name="好的").click()

    # 80 minutes later the same card signs out, and the screen and the voice say how long.
    import kiosk.core as core

    later = time.time() + 80 * 60 + 20
    monkeypatch.setattr(core, "time", types.SimpleNamespace(time=lambda: later,
                                                            monotonic=time.monotonic))
    kiosk.kiosk.debounce_seconds = 0
    # The card comes back only once the scanner no longer has it in view: a card shown again
    # sooner is the same card still in front of the camera, and is rightly not read twice.
    wait_until(lambda: not kiosk.scanner.in_view(card), message="the card stayed in view")
    write_frame(kiosk.camera, "c-card.png", camera_frame(card, seed=34))
    page.locator("#result.ok").get_by_text("签退成功").wait_for(timeout=20_000)
    (kiosk.camera / "c-card.png").unlink()
    assert "本次服务 1小时20分钟" in page.locator("#r-detail").inner_text()
    assert _said(page) == "signed_out service_took n1 xiaoshi n2 n10 fenzhong"
    shot(page, "kiosk-speech-signed-out-landscape")
    page.set_viewport_size({"width": 1080, "height": 1920})
    shot(page, "kiosk-speech-signed-out-portrait")
    check_page(page, axe_source)
    page.get_by_role("button", name="好的").click()
    monkeypatch.undo()

    # Muted: nothing to hear again, so no button.
    kiosk.kiosk.set_sound(muted=True)
    page.wait_for_function("document.body.dataset.muted === 'yes'")
    page.evaluate("window.kiosk.showResult(true, '签到成功', '', '', '', ['signed_in'])")
    assert not page.locator("#r-again").is_visible()
    page.close()


def test_a_low_rating_has_words_and_text_needs_no_keyboard(kiosk, browser, shot, axe_source, db,
                                                           network, menu, teams):
    from server.orders.models import Order, Rating
    from tests.browser.test_kiosk_flows import _served_order

    number, url = _served_order(db, network, menu, teams, completed=True)
    page = open_kiosk(browser, kiosk)
    write_frame(kiosk.camera, "b-order.png", camera_frame(url, seed=33))
    page.get_by_text("请为这次服务打分").wait_for(timeout=20_000)
    (kiosk.camera / "b-order.png").unlink()
    assert _said(page) == "rate_title"
    page.get_by_role("button", name="1 星").click()
    page.get_by_role("button", name="来晚了").click()
    rate = page.locator("#f-rate")
    # A preset phrase, then the on-screen keyboard for the rest.
    rate.get_by_role("button", name="还需要改进").click()
    rate.get_by_role("button", name="键盘").click()
    rate.locator(".osk").get_by_role("button", name="2", exact=True).click()
    rate.locator(".osk").get_by_role("button", name="。", exact=True).click()
    assert page.locator("#comment").input_value() == "还需要改进2。"
    rate.locator(".osk").get_by_role("button", name="删除").click()
    assert page.locator("#comment").input_value() == "还需要改进2"
    # Pinyin: X I E offers the characters read xie; one tap types 谢.
    for letter in "XIE":
        rate.locator(".osk").get_by_role("button", name=letter, exact=True).click()
    assert rate.locator(".osk-spelling").inner_text() == "xie"
    rate.locator(".osk-picks").get_by_role("button", name="谢", exact=True).click()
    assert page.locator("#comment").input_value() == "还需要改进2谢"
    assert rate.locator(".osk-compose").is_hidden()
    shot(page, "kiosk-rate-low-keyboard-landscape")
    check_page(page, axe_source)
    page.set_viewport_size({"width": 1080, "height": 1920})
    shot(page, "kiosk-rate-low-keyboard-portrait")
    check_page(page, axe_source)
    page.get_by_role("button", name="提交评价").click()
    page.locator("#result.ok").wait_for()

    def rated():
        db.session.rollback()
        return db.session.scalar(select(Rating).join(Order).where(Order.number == number))

    rating = wait_until(rated, message="the rating never reached the server")
    assert (rating.stars, rating.tags, rating.comment) == (1, ["来晚了"], "还需要改进2谢")
    page.close()
