"""Accounts: hashing, login and logout, sessions, CSRF, rate limits, redirects, the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.users.models import AdminUser
from server.users.operations import set_password
from tests.conftest import PASSWORD, csrf_token_in


def test_passwords_are_argon2id(db, create_admin, network):
    user = create_admin("district_admin", network["center"])
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_role_must_match_site_kind(db, create_admin, network):
    from server.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        create_admin("station_admin", network["east"])
    assert caught.value.code == "role_site_mismatch"


def test_login_page_then_dashboard(client, login, create_admin, network):
    user = create_admin("institute_admin", network["east"], "eastadmin")
    assert client.get("/admin/").status_code == 302
    login(user)
    page = client.get("/admin/").get_data(as_text=True)
    assert "东镇新时代文明实践所" in page


def test_wrong_password_is_refused_and_audited(client, db, create_admin, network):
    user = create_admin("district_admin", network["center"], "boss")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "boss", "password": "nope-nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    db.session.rollback()
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.login_failed" in actions and user.id


def test_login_without_csrf_token_is_refused(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    response = client.post("/login", data={"username": "boss", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_logout_ends_the_session(client, login, create_admin, network):
    token = login(create_admin("district_admin", network["center"]))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_sessions(client, login, db, create_admin, network):
    user = create_admin("district_admin", network["center"])
    login(user)
    db.session.rollback()  # a fresh snapshot: the login request wrote since ours began
    set_password(db.session.get(AdminUser, user.id), "a-brand-new-password")
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_session_cookie_flags(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "boss", "password": PASSWORD,
                                           "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # BASE_URL is https in the tests


def test_no_open_redirect_after_login(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example.com/x",
                           data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.app_config({"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"})
def test_login_is_rate_limited(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    statuses = [
        client.post("/login", data={"username": "boss", "password": "wrong-wrong-wrong",
                                    "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_cli_creates_an_account(runner, db, network):
    result = runner.invoke(args=["users", "create", "clerk", "--role", "station_admin",
                                 "--site", str(network["west_station"].id),
                                 "--password", "long-enough-secret"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    user = db.session.scalars(select(AdminUser).where(AdminUser.username == "clerk")).one()
    assert user.site_id == network["west_station"].id


def test_cli_refuses_a_bad_account(runner, db, network):
    result = runner.invoke(args=["users", "create", "clerk", "--role", "station_admin",
                                 "--site", str(network["east"].id),
                                 "--password", "long-enough-secret"])
    assert result.exit_code == 1
    assert "role_site_mismatch" in result.output
    result = runner.invoke(args=["users", "create", "clerk2", "--role", "district_admin",
                                 "--password", "short"])
    assert result.exit_code == 1 and "password_too_short" in result.output
