"""A kiosk against the real server over HTTP: enroll, verify offline, queue, sync exactly once."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

import qr
import qr.presence
import qr.tokens
from kiosk.core import Kiosk
from kiosk.sync import SyncWorker
from tests.fixtures.kiosk import written


def _shifts(db, number):
    from server.shifts.models import Shift
    from server.volunteers.models import Volunteer

    db.session.rollback()
    return list(db.session.scalars(select(Shift).join(Volunteer).where(Volunteer.number == number)))


def test_enrollment_stores_identity_and_shows_the_site(kiosk, network):
    status = kiosk.status()
    assert status["screen"] == "idle"
    assert status["site"] == network["library"].name
    assert kiosk.store.get("device_id") and kiosk.store.get("secret")
    assert len(kiosk.keyring()) >= 1
    assert kiosk.screen.online is True


def test_sign_in_online_is_confirmed_then_synced(kiosk, make_volunteers, db, network):
    (number, name, url), = make_volunteers(1)
    kiosk.sync.refresh()  # the volunteer cache now knows the name
    kiosk.sign(url)
    result = kiosk.screen.result
    assert result.ok and result.title == "签到成功" and result.name == name == "张*华"
    assert kiosk.store.count("pending") == 1
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0 and kiosk.store.count("done") == 1
    shifts = _shifts(db, number)
    assert len(shifts) == 1 and shifts[0].is_open and shifts[0].site_id == network["library"].id
    assert shifts[0].start_device_id == kiosk.store.get("device_id")


def test_offline_scans_are_kept_and_sent_when_the_server_returns(
        kiosk, make_volunteers, live_backend, db):
    (number, name, url), = make_volunteers(1)
    kiosk.sync.once()
    live_backend.stop()
    kiosk.sign(url)
    assert kiosk.screen.result.title == "签到成功"
    with pytest.raises(Exception, match="Connection|reset|refused|closed"):
        kiosk.sync.once()
    assert kiosk.store.count("pending") == 1
    live_backend.start()
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0
    assert len(_shifts(db, number)) == 1


def test_sign_out_follows_sign_in(kiosk, make_volunteers, db):
    (number, _, url), = make_volunteers(1)
    kiosk.sync.once()
    kiosk.sign(url)
    kiosk.sign(url)  # the same card again at once: the first result again, no second action
    assert kiosk.screen.result.title == "签到成功"
    assert kiosk.store.count("pending") == 1
    kiosk.debounce_seconds = 0
    kiosk.sign(url)
    assert kiosk.screen.result.title == "签退成功"
    kiosk.sync.once()
    assert kiosk.store.count("done") == 2


def test_lost_answers_are_retried_and_applied_once(kiosk, make_volunteers, proxy, db):
    from server.devices.models import KioskAction

    volunteers = make_volunteers(3)
    kiosk.sync.once()
    for _, _, url in volunteers:
        kiosk.sign(url)
    proxy.drop, proxy.rng.random = 1.0, lambda: 0.9  # every answer is cut after the server acts
    with pytest.raises(Exception):  # noqa: B017  (the kiosk sees a dropped connection)
        kiosk.sync.push()
    assert kiosk.store.count("pending") == 3
    proxy.drop = 0.0
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == 3
    for number, _, _ in volunteers:
        assert len(_shifts(db, number)) == 1


@pytest.mark.parametrize("kind", ["forged", "revoked", "foreign"])
def test_bad_codes_get_a_red_screen_and_an_audit_entry_once_synced(
        kind, kiosk, make_volunteers, db):
    from server.core.audit import AuditEvent
    from server.volunteers import operations as vops
    from server.volunteers.models import Volunteer

    (number, _, url), = make_volunteers(1)
    if kind == "forged":
        key = qr.SigningKey.generate(key_id=kiosk.keyring().__iter__().__next__().kid)
        payload = qr.Payload("volunteer", number, 1, 1_700_000_000, None, key.key_id)
        text = qr.tokens.code_url("https://zhaohua.example.org", qr.sign(payload, key))
        reason = "这个码未通过验证，可能是伪造或被改动过"
    elif kind == "revoked":
        with written(db):
            vops.reissue_code(db.session.scalar(
                select(Volunteer).where(Volunteer.number == number)), "lost card")
        text = url
        reason = "这个码已被撤销，请使用新的志愿者码"
    else:
        text = "https://weixin.qq.com/r/abcdef"
        reason = "这个码不属于本平台"
    kiosk.sync.refresh()
    kiosk.sign(text)
    result = kiosk.screen.result
    assert not result.ok and result.detail == reason
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0
    assert _shifts(db, number) == []
    db.session.rollback()
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "kiosk.action_refused")).all()
    assert len(refused) == 1
    # An expected refusal is not something the admin must chase on the kiosk screen.
    assert kiosk.status()["needs_admin"] == 0


def test_a_refusal_after_a_confirmation_stays_visible(kiosk, make_volunteers, db):
    from server.volunteers import operations as vops
    from server.volunteers.models import Volunteer

    (number, _, url), = make_volunteers(1)
    kiosk.sync.once()
    kiosk.sign(url)  # the kiosk's cache still says active: confirmed on screen
    with written(db):
        vops.set_active(db.session.scalar(select(Volunteer).where(Volunteer.number == number)),
                        False)
    kiosk.sync.push()
    assert kiosk.store.count("refused") == 1
    assert kiosk.status()["needs_admin"] == 1
    refused = kiosk.store.actions("refused")[0]
    # Deactivating a volunteer also withdraws the card's code; either way the server says no.
    assert refused.answer["error"]["code"] in ("volunteer_inactive", "code_revoked")


def test_revoked_kiosk_says_so_and_accepts_nothing(kiosk, make_volunteers, db):
    from server.devices import operations as dops
    from server.devices.models import Device

    (_, _, url), = make_volunteers(1)
    with written(db):
        dops.revoke(db.session.get(Device, kiosk.store.get("device_id")), "stolen")
    kiosk.sync.refresh()
    assert kiosk.status()["screen"] == "revoked"
    kiosk.on_scan(url)
    assert kiosk.screen.result is None and kiosk.store.count("pending") == 0
    assert kiosk.presence_url() is None


def test_presence_code_is_accepted_by_the_server_rules(kiosk, db):
    from server.devices.models import Device
    from server.devices.operations import presence_secret

    url = kiosk.presence_url()
    device_id, step, mac = qr.presence.parse_presence(url, "https://zhaohua.example.org")
    device = db.session.get(Device, device_id)
    qr.presence.check_presence(presence_secret(device), device_id, step, mac)


def test_clock_offset_is_measured_and_reported(kiosk, make_volunteers, db, monkeypatch):
    import time as real_time

    from server.devices.models import Device

    (_, _, url), = make_volunteers(1)
    skew = 3600.0  # the kiosk's clock runs an hour fast
    fast = real_time.time
    monkeypatch.setattr("kiosk.core.time.time", lambda: fast() + skew)
    monkeypatch.setattr("kiosk.sync.time.time", lambda: fast() + skew)
    kiosk.sync.refresh()
    assert kiosk.store.get("clock_offset") == pytest.approx(-skew, abs=2)
    assert abs(kiosk.now() - fast()) < 2  # the presence code uses server time
    kiosk.sign(url)
    kiosk.sync.push()
    db.session.rollback()
    device = db.session.get(Device, kiosk.store.get("device_id"))
    assert device.clock_offset_ms == pytest.approx(skew * 1000, abs=2000)


def test_used_enrollment_code_is_refused_with_a_message(tmp_path, proxy, enrollment_code):
    code = enrollment_code()
    first = Kiosk(proxy.url, tmp_path / "a")
    assert first.enroll(code)
    second = Kiosk(proxy.url, tmp_path / "b")
    assert not second.enroll(code)
    assert second.status()["screen"] == "enroll"
    assert second.screen.message.startswith("登记没有成功")


def test_outbox_is_durable_wal_and_full_sync(kiosk, make_volunteers):
    (_, _, url), = make_volunteers(1)
    kiosk.sign(url)
    raw = sqlite3.connect(kiosk.store.path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert kiosk.store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert raw.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0] == 1


def test_the_server_word_wins_and_the_screen_says_so(kiosk, make_volunteers, proxy,
                                                     enrollment_code, tmp_path, monkeypatch):
    """Signed in at one kiosk; a second kiosk at the same site does not know and shows a
    sign-in; the server (the authority) records a sign-out, and the second kiosk says so."""
    (number, name, url), = make_volunteers(1)
    kiosk.sync.refresh()
    kiosk.sign(url)
    kiosk.sync.push()
    other = Kiosk(proxy.url, tmp_path / "other")
    assert other.enroll(enrollment_code())
    sync = SyncWorker(other)
    sync.refresh()
    import time as real_time

    later = real_time.time
    # Two minutes later: past the server's 60-second double-read window.
    monkeypatch.setattr("kiosk.core.time.time", lambda: later() + 120)
    other.sign(url)
    assert other.screen.result.title == "签到成功"
    monkeypatch.undo()
    sync.push()
    assert other.store.volunteer(number)["is_on_shift"] == 0
    assert other.status()["note"] == f"{name}：服务器记录为签退，本次服务 2分钟"
    other.store.close()


def test_a_code_from_a_new_signing_key_verifies_after_the_next_refresh(kiosk, make_volunteers,
                                                                      db):
    from server.codes import keys

    kiosk.sync.refresh()
    with written(db):
        keys.rotate()
    (_, name, url), = make_volunteers(1)  # signed with the new key, unknown to the kiosk
    kiosk.sign(url)
    assert not kiosk.screen.result.ok and kiosk.refresh_due
    kiosk.sync.once()  # the refusal is uploaded and the keys are fetched at once
    assert not kiosk.refresh_due
    kiosk.sign(url)
    assert kiosk.screen.result.ok and kiosk.screen.result.name == name


def test_the_redemption_screen_asks_the_server_for_the_balance(kiosk, make_volunteers, db):
    from server.ledger import operations as ledger
    from server.volunteers.models import Volunteer

    (number, _, url), = make_volunteers(1)
    with written(db):
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.number == number))
        ledger.adjust(volunteer, 25, "opening balance", actor="test")
    kiosk.flows.set_redeem_mode(True)
    kiosk.on_scan(url)
    prompt = kiosk.status()["prompt"]
    assert prompt["kind"] == "redeem" and prompt["balance"] is None  # never seen here
    assert kiosk.flows.balance(prompt["id"]) == {"balance": 25, "source": "server"}
    assert kiosk.store.balance(number) == 25  # remembered for the next time offline
