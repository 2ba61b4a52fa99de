"""The kiosk's touchscreen in Chromium, against the real server, fed by a camera replay folder."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.kiosk_checks import check_page
from tests.fixtures.kiosk import camera_frame, empty_frame, wait_until, write_frame, written
from tests.forgery import tampered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

@pytest.fixture
def kiosk_app(tmp_path, live_backend):
    from kiosk.app import KioskApp

    camera = tmp_path / "camera"
    app = KioskApp(f"http://127.0.0.1:{live_backend.port}", str(tmp_path / "data"),
                   str(camera), port=0, refresh_seconds=1.0)
    app.camera = camera
    app.sync.first_backoff = app.sync.max_backoff = 0.3
    app.scanner.repeat_seconds = 1.0  # cards come and go quickly in this test
    app.start()
    yield app
    app.stop()


def test_kiosk_screens(kiosk_app, browser, shot, axe_source, make_volunteers,
                       enrollment_code, db, network, live_backend):
    from server.core.audit import AuditEvent
    from server.devices import operations as dops
    from server.devices.models import Device
    from server.shifts.models import Shift
    from server.volunteers.models import Volunteer

    (number, name, url), (number2, _, url2) = make_volunteers(2)
    camera = kiosk_app.camera
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(kiosk_app.url)

    # Not enrolled, no camera yet: one screen and a warning.
    page.get_by_text("请扫描登记码").wait_for()
    page.get_by_text("摄像头未连接").wait_for()
    shot(page, "kiosk-enroll-landscape")
    check_page(page, axe_source)

    # The administrator holds the dashboard's enrollment code up to the camera.
    write_frame(camera, "a-enroll.png", camera_frame(enrollment_code(), seed=11))
    page.get_by_text("请出示志愿者码").wait_for(timeout=20_000)
    write_frame(camera, "b-room.png", empty_frame())
    (camera / "a-enroll.png").unlink()
    page.get_by_text(network["library"].name).wait_for()
    page.wait_for_function("document.getElementById('presence').naturalWidth > 0")
    wait_until(lambda: kiosk_app.kiosk.screen.online, message="kiosk never synced")
    shot(page, "kiosk-idle-landscape")
    check_page(page, axe_source)
    page.set_viewport_size({"width": 1080, "height": 1920})
    shot(page, "kiosk-idle-portrait")
    check_page(page, axe_source)

    # A volunteer holds up a card: green, the masked name, 签到成功.
    write_frame(camera, "c-card.png", camera_frame(url, seed=12))
    page.locator("#result.ok").wait_for(timeout=20_000)
    assert page.locator("#r-title").inner_text() == "签到成功"
    assert page.locator("#r-name").inner_text() == name == "张*华"
    # The result covers the whole screen, edge to edge: no border, no rounded corners where
    # the bar behind it would show.
    edges = page.locator("#result").evaluate(
        "e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();"
        " return [s.borderTopWidth, s.borderTopLeftRadius, r.left, r.top, r.width, r.height]; }")
    assert edges == ["0px", "0px", 0, 0, 1080, 1920], edges
    shot(page, "kiosk-signed-in-portrait")
    check_page(page, axe_source)
    (camera / "c-card.png").unlink()

    def synced_shift(who=number):
        db.session.rollback()
        return db.session.scalar(select(Shift).join(Volunteer).where(Volunteer.number == who))

    shift = wait_until(synced_shift, message="the server never got the sign-in")
    assert shift.is_open and shift.site_id == network["library"].id and shift.is_verified

    # A forged code: red, with the reason; once synced, the server's audit log has it.
    page.get_by_role("button", name="好的").click()
    page.set_viewport_size({"width": 1920, "height": 1080})
    forged = tampered(url, 6)
    write_frame(camera, "d-forged.png", camera_frame(forged, seed=13))
    page.locator("#result.bad").wait_for(timeout=20_000)
    assert "伪造" in page.locator("#r-detail").inner_text() or \
        "不是可识别" in page.locator("#r-detail").inner_text()
    shot(page, "kiosk-refused-landscape")
    check_page(page, axe_source)
    (camera / "d-forged.png").unlink()

    def audited():
        db.session.rollback()
        return db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "kiosk.action_refused"))

    wait_until(audited, message="the forged scan never reached the audit log")

    # Offline: a sign-in still works and the banner counts what waits.
    page.get_by_role("button", name="好的").click()
    live_backend.stop()
    write_frame(camera, "e-card.png", camera_frame(url2, seed=14))
    page.locator("#result.ok").wait_for(timeout=20_000)
    assert page.locator("#r-title").inner_text() == "签到成功"
    page.get_by_role("button", name="好的").click()
    (camera / "e-card.png").unlink()
    # First the kiosk itself: it has tried the server, found it gone, and holds the one sign-in
    # (a failure here says which of the two it missed); then the page that shows it.
    kiosk = kiosk_app.kiosk
    wait_until(lambda: kiosk.screen.online is False and kiosk.store.count("pending") == 1,
               timeout=40, message=lambda: f"kiosk never offline with 1 waiting: online="
               f"{kiosk.screen.online}, pending={kiosk.store.count('pending')}")
    page.get_by_text("网络未连接，签到照常进行，待上传 1 条").wait_for(timeout=20_000)
    shot(page, "kiosk-offline-landscape")
    live_backend.start()
    wait_until(lambda: synced_shift(number2), timeout=30,
               message="the offline sign-in never arrived")

    # Revoked by an administrator: the kiosk says so and accepts nothing.
    with written(db):
        dops.revoke(db.session.get(Device, kiosk_app.kiosk.store.get("device_id")), "stolen")
    page.get_by_text("本机已停用").wait_for(timeout=20_000)
    shot(page, "kiosk-revoked-landscape")
    check_page(page, axe_source)
    page.close()
