"""Accounts in the dashboard: each admin manages the admins below it, for every role; a new
account sets its password through a one-time link; one's own password can be changed."""

from __future__ import annotations

import re

from server.users.models import AdminUser
from tests.conftest import PASSWORD, csrf_token_in


def _link(html: str) -> str:
    return re.search(r"(/reset/[^<\s\"]+)", html).group(1)


def test_institute_admin_adds_a_station_admin_who_sets_a_password(client, db, network,
                                                                  create_admin, login):
    institute = create_admin("institute_admin", network["east"], "east")
    token = login(institute)
    page = client.get("/admin/accounts/").get_data(as_text=True)
    assert "data-site-picker" in page
    form = {"csrf_token": csrf_token_in(page), "username": "dongcun", "display_name": "东村站长",
            "role": "station_admin", "site_id": str(network["west_station"].id)}
    outside = client.post("/admin/accounts/", data=form)  # a station of another town
    assert outside.status_code == 400 and "请选择账号管理的站点" in outside.get_data(as_text=True)
    wrong_role = client.post("/admin/accounts/", data=dict(
        form, role="institute_admin", site_id=str(network["east"].id)))
    assert wrong_role.status_code == 403
    made = client.post("/admin/accounts/", data=dict(form, site_id=str(network["east_station"].id)))
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    link = _link(made.get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})

    page = client.get(link)
    assert page.status_code == 200
    token = csrf_token_in(page.get_data(as_text=True))
    short = client.post(link, data={"csrf_token": token, "password": "short", "repeat": "short"})
    assert short.status_code == 400
    done = client.post(link, data={"csrf_token": token, "password": "a-long-password",
                                   "repeat": "a-long-password"})
    assert done.status_code == 302
    assert client.get(link).status_code == 404  # once only
    page = client.get("/login").get_data(as_text=True)
    logged = client.post("/login", data={"csrf_token": csrf_token_in(page), "username": "dongcun",
                                         "password": "a-long-password"})
    assert logged.status_code == 302


def test_accounts_are_scoped_for_every_role(client, db, network, create_admin, login):
    district = create_admin("district_admin", network["center"], "boss")
    east = create_admin("institute_admin", network["east"], "east")
    west = create_admin("institute_admin", network["west"], "west")
    station = create_admin("station_admin", network["east_station"], "dongzhan")
    ids = {u.username: u.id for u in (district, east, west, station)}
    seen = {"boss": {"boss", "east", "west", "dongzhan"}, "east": {"east", "dongzhan"},
            "west": {"west"}, "dongzhan": {"dongzhan"}}
    may_open = {"boss": {"east", "west", "dongzhan"}, "east": {"dongzhan"}, "west": set(),
                "dongzhan": set()}
    for user in (district, east, west, station):
        token = login(user)
        page = client.get("/admin/accounts/").get_data(as_text=True)
        listed = {name for name in ids if f">{name}<" in page or f">{name} <" in page}
        assert listed == seen[user.username], user.username
        for name, user_id in ids.items():
            status = client.get(f"/admin/accounts/{user_id}").status_code
            assert status == (200 if name in may_open[user.username] else 404), (user, name)
        assert client.get("/admin/accounts/999999").status_code == 404
        client.post("/logout", data={"csrf_token": token})


def test_deactivate_and_change_own_password(client, db, network, create_admin, login):
    east = create_admin("institute_admin", network["east"], "east")
    station = create_admin("station_admin", network["east_station"], "dongzhan")
    station_id = station.id
    login(east)
    page = client.get(f"/admin/accounts/{station_id}").get_data(as_text=True)
    client.post(f"/admin/accounts/{station_id}/deactivate",
                data={"csrf_token": csrf_token_in(page)})
    db.session.rollback()
    assert not db.session.get(AdminUser, station_id).is_active

    page = client.get("/admin/account/password").get_data(as_text=True)
    form = {"csrf_token": csrf_token_in(page), "current": "wrong", "password": "new-password-1",
            "repeat": "new-password-1"}
    assert client.post("/admin/account/password", data=form).status_code == 400
    changed = client.post("/admin/account/password", data=dict(form, current=PASSWORD))
    assert changed.status_code == 302
    home = client.get("/admin/")
    assert home.status_code == 200  # this session goes on (a fresh one: a new CSRF token)
    client.post("/logout", data={"csrf_token": csrf_token_in(home.get_data(as_text=True))})
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"csrf_token": csrf_token_in(page), "username": "east",
                                       "password": "new-password-1"}).status_code == 302


def test_page_and_cli_deactivate_through_one_rule(client, db, network, create_admin, login,
                                                  runner, app):
    """The accounts page and `flask users disable` share users.operations.set_active: the same
    audit entry, the account's sessions end, and a repeat writes nothing."""
    from sqlalchemy import select

    from server.core.audit import AuditEvent

    east = create_admin("institute_admin", network["east"], "east")
    station = create_admin("station_admin", network["east_station"], "dongzhan")
    station_id = station.id
    other = app.test_client()
    form = {"csrf_token": csrf_token_in(other.get("/login").get_data(as_text=True)),
            "username": "dongzhan", "password": PASSWORD}
    assert other.post("/login", data=form).status_code == 302
    assert other.get("/admin/").status_code == 200
    login(east)
    page = client.get(f"/admin/accounts/{station_id}").get_data(as_text=True)
    for _ in range(2):  # the second post finds the account already off
        client.post(f"/admin/accounts/{station_id}/deactivate",
                    data={"csrf_token": csrf_token_in(page)})
    db.session.rollback()
    assert other.get("/admin/").status_code == 302  # the station's session has ended
    assert runner.invoke(args=["users", "disable", "dongzhan"]).exit_code == 0
    assert runner.invoke(args=["users", "enable", "dongzhan"]).exit_code == 0
    db.session.rollback()
    actions = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor).where(
            AuditEvent.target_type == "admin_user", AuditEvent.target_id == str(station_id),
            AuditEvent.action.like("user.%able"))
        .order_by(AuditEvent.id)).all()
    assert [tuple(a) for a in actions] == [("user.disable", "east"), ("user.enable", "cli")]
