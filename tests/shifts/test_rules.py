"""Hours rules: forgotten sign-outs, rounding and the daily cap, approvals, admin entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.shifts import operations as ops
from server.shifts.models import Shift
from server.shifts.policy import policy_for, set_policy
from tests.conftest import csrf_token_in

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 local


def _shifts(db):
    db.session.rollback()
    return list(db.session.scalars(select(Shift).order_by(Shift.id)))


def test_forgotten_shift_is_closed_by_rule(db, runner, network, enroll_kiosk, create_volunteer):
    set_policy(network["east"], rounding_minutes=5, daily_cap_minutes=480,
               max_shift_minutes=600, forgotten_credit_minutes=60)
    db.session.commit()
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    _, recent = create_volunteer("陈晓")
    kiosk.sign(card, datetime.now(UTC) - timedelta(hours=11))
    kiosk.sign(recent, datetime.now(UTC) - timedelta(hours=2))
    result = runner.invoke(args=["shifts", "close-forgotten"])
    assert result.exit_code == 0 and "closed 1" in result.output
    old, young = _shifts(db)
    assert not old.is_open and old.end_method == "rule" and "auto_closed" in old.flags
    assert old.credited_minutes == 60 and old.review == "pending"
    ended = old.ended_at.replace(tzinfo=UTC) - old.started_at.replace(tzinfo=UTC)
    assert ended == timedelta(minutes=600)
    assert young.is_open
    again = runner.invoke(args=["shifts", "close-forgotten"])
    assert "closed 0" in again.output


def test_rounding_and_daily_cap_from_the_nearest_policy(db, network, enroll_kiosk,
                                                        create_volunteer):
    set_policy(network["center"], rounding_minutes=30, daily_cap_minutes=600,
               max_shift_minutes=600, forgotten_credit_minutes=0)
    set_policy(network["east"], rounding_minutes=15, daily_cap_minutes=60,
               max_shift_minutes=600, forgotten_credit_minutes=0)
    db.session.commit()
    assert policy_for(network["library"]).rounding_minutes == 15  # east is nearer than center
    assert policy_for(network["west_station"]).rounding_minutes == 30
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    kiosk.sign(card, DAY)
    kiosk.sign(card, DAY + timedelta(minutes=52))  # 52 → 45 (nearest 15)
    kiosk.sign(card, DAY + timedelta(hours=2))
    kiosk.sign(card, DAY + timedelta(hours=2, minutes=40))  # 40 → 45, but only 15 left today
    first, second = _shifts(db)
    assert (first.credited_minutes, second.credited_minutes) == (45, 15)
    kiosk.sign(card, DAY + timedelta(days=1))
    kiosk.sign(card, DAY + timedelta(days=1, minutes=30))
    assert _shifts(db)[2].credited_minutes == 30  # a new day, a new cap


def test_policy_values_are_checked(db, network):
    import pytest

    from server.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        set_policy(network["east"], rounding_minutes=7, daily_cap_minutes=60,
                   max_shift_minutes=60, forgotten_credit_minutes=0)
    assert caught.value.code == "invalid_rounding"
    with pytest.raises(ValidationError) as caught:
        set_policy(network["east"], rounding_minutes=5, daily_cap_minutes="lots",
                   max_shift_minutes=60, forgotten_credit_minutes=0)
    assert caught.value.code == "invalid_number"


def test_station_admin_approves_in_scope_with_a_reason(client, db, network, login, create_admin,
                                                       enroll_kiosk, create_volunteer):
    from server.ledger.operations import balance

    admin = create_admin("station_admin", network["east_station"])
    outsider = create_admin("station_admin", network["west_station"])
    kiosk = enroll_kiosk()
    _, card = create_volunteer()
    kiosk.sign(card, DAY, clock_offset_ms=3_600_000)
    kiosk.sign(card, DAY + timedelta(hours=1), clock_offset_ms=3_600_000)
    [shift] = _shifts(db)
    assert shift.review == "pending"
    login(outsider)
    page = client.get("/admin/shifts/?review=pending")
    assert "东村图书室" not in page.get_data(as_text=True)
    token = csrf_token_in(page.get_data(as_text=True))
    denied = client.post(f"/admin/shifts/{shift.id}/review",
                         data={"csrf_token": token, "decision": "approve", "reason": "好"})
    assert denied.status_code == 404  # out of scope answers as missing: ids cannot be probed
    assert client.post("/admin/shifts/999999/review", data={
        "csrf_token": token, "decision": "approve", "reason": "好"}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(admin)
    page = client.get("/admin/shifts/review", follow_redirects=True).get_data(as_text=True)
    assert "东村图书室" in page and "服务终端时钟不准" in page
    token = csrf_token_in(page)
    refused = client.post(f"/admin/shifts/{shift.id}/review", data={
        "csrf_token": token, "decision": "reject", "reason": " "}, follow_redirects=True)
    assert _shifts(db)[0].review == "pending"  # a rejection says why
    assert "请填写原因" in refused.get_data(as_text=True)  # and the page says so
    client.post(f"/admin/shifts/{shift.id}/review",
                data={"csrf_token": token, "decision": "approve", "reason": ""})
    [shift] = _shifts(db)
    assert shift.review == "approved" and shift.reviewed_by_user_id == admin.id
    assert balance(shift.volunteer) > 0
    from server.ledger.models import Transfer
    assert db.session.scalar(select(Transfer.actor)) == admin.username  # credited by them
    twice = client.post(f"/admin/shifts/{shift.id}/review", data={
        "csrf_token": token, "decision": "reject", "reason": "改主意"}, follow_redirects=True)
    assert "不在待审核状态" in twice.get_data(as_text=True)


def test_admin_entry_with_a_reason(client, db, network, login, create_admin, create_volunteer):
    from server.core.audit import AuditEvent

    admin = create_admin("institute_admin", network["east"])
    volunteer, _ = create_volunteer()
    number = volunteer.number
    login(admin)
    page = client.get("/admin/shifts/new").get_data(as_text=True)
    token = csrf_token_in(page)
    form = {"csrf_token": token, "number": number, "site_id": str(network["library"].id),
            "started_at": "2026-03-02T09:00", "ended_at": "2026-03-02T11:00", "reason": ""}
    missing = client.post("/admin/shifts/new", data=form)
    assert missing.status_code == 400 and "请填写原因" in missing.get_data(as_text=True)
    outside = client.post("/admin/shifts/new", data=dict(
        form, reason="签到机坏了", site_id=str(network["west_station"].id)))
    assert outside.status_code == 404
    done = client.post("/admin/shifts/new", data=dict(form, reason="签到机坏了"))
    assert done.status_code == 302
    [shift] = _shifts(db)
    assert shift.credited_minutes == 120 and shift.review == "none"
    assert shift.flags == ["admin_entry"] and shift.start_method == "admin"
    assert db.session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "shift.admin_entry"))["reason"] == "签到机坏了"
    overlap = client.post("/admin/shifts/new", data=dict(form, reason="再来一次"))
    assert overlap.status_code == 409 and len(_shifts(db)) == 1


def test_admin_entry_is_scoped_to_the_volunteer_and_credited_to_the_admin(
        client, db, network, login, create_admin, create_volunteer):
    """A station or institute admin may not credit hours (points) to a volunteer outside
    their subtree, and an entry they may make is theirs in the ledger and the audit."""
    from server.core.audit import AuditEvent
    from server.ledger.models import Transfer
    from server.ledger.operations import balance

    stranger, _ = create_volunteer("李四", site=network["west_station"])
    own, _ = create_volunteer("王五", site=network["east_station"])
    stranger_number, own_number = stranger.number, own.number
    for admin in (create_admin("station_admin", network["east_station"]),
                  create_admin("institute_admin", network["east"])):
        login(admin)
        token = csrf_token_in(client.get("/admin/shifts/new").get_data(as_text=True))
        form = {"csrf_token": token, "number": stranger_number,
                "site_id": str(network["library"].id), "started_at": "2026-03-02T09:00",
                "ended_at": "2026-03-02T11:00", "reason": "补录"}
        refused = client.post("/admin/shifts/new", data=form)
        unknown = client.post("/admin/shifts/new", data=dict(form, number="V99999999"))
        assert refused.status_code == unknown.status_code == 404
        assert "没有这个编号的志愿者" in refused.get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token})
    assert _shifts(db) == [] and balance(stranger) == 0

    admin = create_admin("station_admin", network["east_station"], username="east_keeper")
    login(admin)
    token = csrf_token_in(client.get("/admin/shifts/new").get_data(as_text=True))
    done = client.post("/admin/shifts/new", data={
        "csrf_token": token, "number": own_number, "site_id": str(network["library"].id),
        "started_at": "2026-03-02T09:00", "ended_at": "2026-03-02T11:00", "reason": "补录"})
    assert done.status_code == 302
    [shift] = _shifts(db)
    transfer = db.session.scalar(select(Transfer).where(Transfer.source_type == "shift"))
    assert transfer.actor == "east_keeper" and balance(own) == transfer.amount > 0
    posted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.post"))
    assert posted.actor_user_id == admin.id
    ledger = client.get("/admin/ledger/").get_data(as_text=True)
    assert f"/admin/ledger/transfers/{transfer.id}/reverse" in ledger  # theirs to reverse


def test_hours_policy_page_sets_a_subtree(client, db, network, login, create_admin):
    admin = create_admin("institute_admin", network["east"])
    login(admin)
    url = f"/admin/shifts/policy/{network['east'].id}"
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    bad = client.post(url, data={"csrf_token": token, "rounding_minutes": "5",
                                 "daily_cap_minutes": "0", "max_shift_minutes": "600",
                                 "forgotten_credit_minutes": "0"})
    assert bad.status_code == 400
    ok = client.post(url, data={"csrf_token": token, "rounding_minutes": "10",
                                "daily_cap_minutes": "240", "max_shift_minutes": "480",
                                "forgotten_credit_minutes": "30"})
    assert ok.status_code == 302
    db.session.rollback()
    assert policy_for(network["library"]).daily_cap_minutes == 240
    assert policy_for(network["west"]).daily_cap_minutes == 480  # the defaults elsewhere
    assert client.get(f"/admin/shifts/policy/{network['west'].id}").status_code == 404


def test_sign_is_refused_for_an_inactive_volunteer(db, network, create_volunteer):
    import pytest

    from server.core.errors import Forbidden
    from server.volunteers import operations as vops

    volunteer, _ = create_volunteer()
    vops.set_active(volunteer, False)
    db.session.commit()
    with pytest.raises(Forbidden) as caught:
        ops.sign(volunteer, network["library"], DAY, method="admin", verified=False)
    assert caught.value.code == "volunteer_inactive"
