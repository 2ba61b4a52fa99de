"""A volunteer's phone: points, statement and the record certificate, as the volunteer sees them."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def _volunteer_with_history(app) -> tuple[str, str]:
    """A volunteer with shifts over two months, a redemption and a reversal; their cookie."""
    from server.core.db import writing
    from server.core.timeutil import utcnow
    from server.extensions import db
    from server.ledger import catalog
    from server.ledger import operations as ops
    from server.ledger.models import Item
    from server.shifts.models import Shift
    from server.sites.models import Site
    from server.volunteers import operations as volunteers
    from server.volunteers.logins import issue_login_link

    with app.app_context(), writing():
        library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        person = volunteers.create_volunteer(name="王桂兰", phone="13990001234", site=library)
        shifts = []
        for days, minutes in ((40, 180), (33, 120), (12, 90), (5, 240)):
            start = utcnow() - timedelta(days=days)
            shifts.append(Shift(volunteer_id=person.id, site_id=library.id, started_at=start,
                                ended_at=start + timedelta(minutes=minutes),
                                start_method="kiosk", credited_minutes=minutes,
                                is_verified=True))
        db.session.add_all(shifts)
        db.session.flush()
        credits = [ops.credit_shift(s) for s in shifts]
        ops.reverse(credits[1], "签到地点有误", actor="admin")
        item = Item(site_id=library.id, name="爱心超市 食用油 1L", cost_points=20, stock=8)
        db.session.add(item)
        db.session.flush()
        catalog.redeem(person, item, 1, actor="admin")
        db.session.commit()
        _, token = issue_login_link(person)
        db.session.commit()
        return person.number, token


def test_phone_statement_and_certificate(app, live_server, browser, shot, backend):
    number, token = _volunteer_with_history(app)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # Logged in as a phone is, through a one-time link (the session cookie is __Host-, Secure:
    # Chromium keeps it from http://127.0.0.1, a trustworthy origin).
    page.goto(f"{live_server}/v/link/{token}")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/v/")
    assert page.goto(live_server + "/v/points").status == 200
    # 3h + 1.5h + 4h credited, 2h reversed: 85 points earned, 20 spent.
    assert page.get_by_test_id("balance").inner_text() == "65"
    assert "8.5" in page.locator(".vcard").inner_text()
    size = page.get_by_test_id("balance").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 40
    shot(page, "40-phone-points")

    page.get_by_role("link", name="我的积分明细").click()
    page.wait_for_url("**/v/points/statement")
    text = page.locator("main").inner_text()
    assert "食用油" in text and "冲正" in text and "−20" in text
    shot(page, "41-phone-statement")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载我的志愿服务记录证明（PDF）").click()
    pdf = download.value.path()
    assert pdf.read_bytes()[:4] == b"%PDF"
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is needed to look at the certificate: apt-get install poppler-utils")
    out = SCREENSHOTS / f"42-certificate-{backend}"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(out)],
                   check=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                          capture_output=True).stdout.decode()
    assert "志愿服务记录证明" in text and "王桂兰" in text and number in text
    assert "8.5" in text  # the reversed shift does not count
    context.close()
