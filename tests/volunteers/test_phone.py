"""Phone logins: one-time links (GET confirms, POST consumes), passwords, the session cookie."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.volunteers import logins
from server.volunteers import operations as ops
from server.volunteers.models import LoginLink
from tests.conftest import csrf_token_in


def _cookie(client) -> str:
    return client.application.config["VOLUNTEER_COOKIE_NAME"]


def _link(db, volunteer) -> str:
    _, token = logins.issue_login_link(volunteer)
    db.session.commit()
    return f"/v/link/{token}"


def _open(client, path):
    """What a phone does: open the link, press the button."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})


def test_link_logs_the_phone_in_and_home_shows_the_code(client, db, create_volunteer, branch):
    volunteer = create_volunteer(name="欧阳明华")
    from server.volunteers import teams

    teams.add_member(branch, volunteer)
    db.session.commit()
    path = _link(db, volunteer)
    preview = client.get(path)  # a chat app's link preview: shows, does not consume
    assert "欧**华" in preview.get_data(as_text=True)
    response = _open(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/v/"
    cookie = client.get_cookie(_cookie(client))
    assert cookie is not None and cookie.http_only
    assert cookie.expires is not None
    home = client.get("/v/").get_data(as_text=True)
    assert "欧阳明华" in home and volunteer.number in home and "应急救援志愿服务分队" in home
    assert "<svg" in home
    db.session.rollback()
    assert db.session.scalar(select(LoginLink)).used_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "volunteer.login")
                             ).details["method"] == "link"


def test_link_works_once(client, app, db, create_volunteer):
    path = _link(db, create_volunteer())
    assert _open(client, path).status_code == 302
    other_phone = app.test_client()
    again = other_phone.get(path)
    assert again.status_code == 410 and "已经用过" in again.get_data(as_text=True)
    page = client.get("/v/link/" + "x" * 43)
    assert page.status_code == 404


def test_expired_link_is_refused(client, db, create_volunteer):
    volunteer = create_volunteer()
    link, token = logins.issue_login_link(volunteer)
    link.expires_at = link.expires_at - timedelta(hours=24, seconds=1)
    db.session.commit()
    response = client.get(f"/v/link/{token}")
    assert response.status_code == 410 and "过期" in response.get_data(as_text=True)
    assert client.get_cookie(_cookie(client)) is None


def test_only_the_hash_of_the_token_is_stored(db, create_volunteer):
    volunteer = create_volunteer()
    link, token = logins.issue_login_link(volunteer)
    assert token not in link.token_hash and len(link.token_hash) == 64


def test_deactivated_volunteer_cannot_log_in_and_loses_the_session(client, db, create_volunteer):
    volunteer = create_volunteer()
    path = _link(db, volunteer)
    second = _link(db, volunteer)
    logins.set_password(volunteer, "hunter2-long")
    db.session.commit()
    assert _open(client, path).status_code == 302
    assert client.get("/v/").status_code == 200
    ops.set_active(volunteer, False)
    db.session.commit()
    assert client.get("/v/").headers["Location"] == "/v/welcome"
    assert client.get(second).status_code == 403
    login_page = client.get("/v/login")
    response = client.post("/v/login", data={
        "number": volunteer.number, "password": "hunter2-long",
        "csrf_token": csrf_token_in(login_page.get_data(as_text=True))})
    assert response.status_code == 401
    with pytest.raises(logins.LinkRefused):
        logins.issue_login_link(volunteer)


def test_password_set_after_link_then_number_and_password(client, app, db, create_volunteer):
    volunteer = create_volunteer()
    assert _open(client, _link(db, volunteer)).status_code == 302
    page = client.get("/v/password")
    token = csrf_token_in(page.get_data(as_text=True))
    short = client.post("/v/password", data={"password": "short", "again": "short",
                                             "csrf_token": token})
    assert short.status_code == 400 and "至少" in short.get_data(as_text=True)
    differ = client.post("/v/password", data={"password": "long-enough-1",
                                              "again": "long-enough-2", "csrf_token": token})
    assert differ.status_code == 400
    ok = client.post("/v/password", data={"password": "long-enough-1", "again": "long-enough-1",
                                          "csrf_token": token})
    assert ok.status_code == 302
    assert client.get("/v/").status_code == 200  # this phone stays logged in

    phone = app.test_client()
    form = phone.get("/v/login").get_data(as_text=True)
    wrong = phone.post("/v/login", data={"number": volunteer.number, "password": "nope-nope",
                                         "csrf_token": csrf_token_in(form)})
    assert wrong.status_code == 401
    right = phone.post("/v/login", data={"number": volunteer.number.lower(),
                                         "password": "long-enough-1",
                                         "csrf_token": csrf_token_in(form)})
    assert right.status_code == 302 and phone.get("/v/").status_code == 200


def test_no_password_field_on_the_way_from_a_poster(client, db, create_volunteer):
    """A phone without a session is sent to a page that explains, never to a password form; it
    leads to the login page with the address to check before typing a password."""
    response = client.get("/v/")
    assert response.status_code == 302 and response.headers["Location"] == "/v/welcome"
    page = client.get("/v/welcome").get_data(as_text=True)
    assert 'type="password"' not in page
    assert 'href="/v/login"' in page and "只在地址栏显示 zhaohua.example.org 时输入密码" in page


def test_tampered_cookie_is_no_session(client, db, create_volunteer):
    create_volunteer()
    client.set_cookie(_cookie(client), "eyJ2aWQiOjF9.forged.signature")
    assert client.get("/v/").status_code == 302


def test_admin_and_volunteer_sessions_are_separate(client, db, create_volunteer, district_admin,
                                                   login):
    volunteer = create_volunteer()
    assert _open(client, _link(db, volunteer)).status_code == 302
    assert client.get("/admin/volunteers/").status_code == 302  # phone session ≠ admin session
    login(district_admin)
    response = client.post("/logout", data={"csrf_token": csrf_token_in(
        client.get("/admin/").get_data(as_text=True))})
    assert response.status_code == 302
    assert client.get("/v/").status_code == 200


def test_phone_links_registry(app, client, db, create_volunteer):
    from server.volunteers.auth import add_phone_link

    add_phone_link(app, "volunteers_mobile.password", "我的积分", 5)
    assert _open(client, _link(db, create_volunteer())).status_code == 302
    home = client.get("/v/").get_data(as_text=True)
    assert re.search(r'href="/v/password">我的积分<', home)
