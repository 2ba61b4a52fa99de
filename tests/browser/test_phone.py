"""A resident's phone opening a poster's code: the place first, a clear refusal for a forgery."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.forgery import tampered

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


def test_phone_sees_the_library_then_a_forgery_is_refused(app, live_server, browser, shot):
    path = _library_code_path(app)
    page = browser.new_page(**PHONE)
    response = page.goto(live_server + path)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "区图书馆"
    assert "四川省广元市昭化区元坝镇区图书馆" in page.locator(".place").inner_text()
    font_size = page.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font_size >= 28
    shot(page, "10-phone-landing")

    forged = tampered(path)
    response = page.goto(live_server + forged)
    assert response.status == 400
    assert "此码无法使用" in page.locator("h1").inner_text()
    assert "区图书馆" not in page.inner_text("body")
    shot(page, "11-phone-forged")
