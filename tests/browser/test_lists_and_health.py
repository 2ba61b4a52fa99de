"""The audit log, the paged lists with their exports and kiosk health in a real browser:
screenshots, no serious or critical axe finding, a station admin kept to its station."""

from __future__ import annotations

import pytest

from tests.browser.checks import admin_login, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _no_serious_axe(page, axe: str) -> None:
    bad = serious_violations(page, axe)
    assert bad == [], bad


PAGES = [("/admin/audit/", "audit-log"), ("/admin/kiosks/", "kiosk-health"),
         ("/admin/shifts/?from=2026-01-01", "shifts-paged"), ("/admin/ledger/", "ledger-paged"),
         ("/admin/ledger/redemptions", "redemptions-paged"), ("/admin/", "overview-kiosks"),
         ("/admin/reports/?period=year", "reports-year"),
         ("/admin/orders/?brand=情暖万家&from=2026-01-01", "board-brand")]


def _kiosks(app) -> None:
    """Three kiosks at the library: one online with a backlog, one silent, one clock off."""
    from datetime import timedelta

    from sqlalchemy import select

    from server.core.db import writing
    from server.core.timeutil import utcnow
    from server.devices.models import Device
    from server.extensions import db
    from server.sites.models import Site

    with app.app_context(), writing():
        site = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
        now = utcnow()
        for n, (seen, outbox, offset) in enumerate([(1, 12, 800), (200, 40, None),
                                                    (2, 0, -420_000)]):
            db.session.add(Device(site_id=site.id, name=f"图书馆{n + 1}号机",
                                  secret_hash=f"browser-test-{n}", presence_secret_encrypted="-",
                                  last_seen_at=now - timedelta(minutes=seen),
                                  outbox_length=outbox, clock_offset_ms=offset,
                                  app_version="1.4.0"))
        db.session.commit()
        db.session.remove()


def test_district_pages_read_and_pass_axe(app, live_server, browser, shot,
                                          axe_source):
    _kiosks(app)
    page = admin_login(browser, live_server, "admin")
    for path, name in PAGES:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        _no_serious_axe(page, axe_source)
        shot(page, f"lists-{name}")
    page.goto(live_server + "/admin/kiosks/")
    assert "图书馆2号机" in page.locator("[role=alert]").inner_text()
    page.goto(live_server + "/admin/audit/")
    assert "共" in page.locator(".pager").first.inner_text()
    page.select_option("select[name=action]", "user.login")
    page.click("button:has-text('筛选')")
    page.wait_for_url("**action=user.login**")
    assert page.locator("tbody tr").count() >= 1
    assert set(page.locator("tbody tr td:nth-child(2)").all_inner_texts()) == {"管理员登录"}
    shot(page, "lists-audit-filtered")
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    assert download.value.suggested_filename == "audit.csv"


def test_a_station_admin_sees_its_station_only(live_server, browser, shot,
                                               axe_source):
    page = admin_login(browser, live_server, "yuanba-shequ")
    page.goto(live_server + "/admin/audit/")
    sites = set(page.locator("tbody tr td:nth-child(5)").all_inner_texts())
    assert sites <= {"元坝社区新时代文明实践站"} or all("元坝社区" in s for s in sites), sites
    _no_serious_axe(page, axe_source)
    shot(page, "lists-audit-station")
    page.goto(live_server + "/admin/kiosks/")
    _no_serious_axe(page, axe_source)
    shot(page, "lists-kiosks-station")
    page.goto(live_server + "/admin/reports/?period=year")
    _no_serious_axe(page, axe_source)
    assert "元坝社区" in page.locator("h1").inner_text()
    shot(page, "reports-station")
