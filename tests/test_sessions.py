"""Sessions and forms: HSTS and __Host- cookies over https, a new session at login, disabling
ends sessions, the Origin of state-changing requests, no session cookie for kiosks."""

from __future__ import annotations

import pytest

from tests.conftest import BASE_URL, PASSWORD, csrf_token_in
from tests.fixtures.devices import phone_login


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def _login_form(client, username, password=PASSWORD, **kwargs):
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, **kwargs)


def test_over_https_hsts_and_host_prefixed_cookies(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    page = client.get("/login")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    response = _login_form(client, "boss")
    assert response.status_code == 302
    (cookie,) = [c for c in _set_cookies(response) if c.startswith("__Host-session=")]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
    assert client.get("/api/v1/me").status_code == 200


def test_the_volunteers_phone_cookie_is_host_prefixed_too(client, db, network):
    from server.volunteers import operations as vops

    volunteer = vops.create_volunteer(name="王秀英", phone="13800000001",
                                      site=network["east_station"])
    db.session.commit()
    phone_login(client, volunteer)
    cookie = client.get_cookie("__Host-wm_volunteer")
    assert cookie is not None and cookie.secure and cookie.path == "/" and cookie.domain in (
        "localhost", "")
    assert client.get("/v/").status_code == 200


@pytest.mark.app_config({"BASE_URL": "http://127.0.0.1:5000"})
def test_over_plain_http_no_hsts_and_plain_names(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    assert "Strict-Transport-Security" not in client.get("/login").headers
    response = _login_form(client, "boss")
    assert [c for c in _set_cookies(response) if c.startswith("session=")]


@pytest.mark.app_config({"HSTS_SECONDS": 0})
def test_hsts_can_be_switched_off(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_login_starts_a_new_session(app, client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    client.get("/login")
    with client.session_transaction() as planted:  # what an attacker could have set before
        planted["planted"] = "by-someone-else"
        planted["uid"] = 999
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert _login_form(client, "boss").status_code == 302
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session and session["uid"] != 999
    # The cookie from before the login is still an anonymous one.
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert other.get("/api/v1/me").status_code == 401


def test_disabling_an_admin_ends_their_sessions(app, client, db, runner, create_admin, network):
    from server.users.operations import set_active

    user = create_admin("district_admin", network["center"], "boss")
    assert _login_form(client, "boss").status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    result = runner.invoke(args=["users", "disable", "boss"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/admin/").status_code == 302  # to the login form
    assert _login_form(client, "boss").status_code == 401
    db.session.rollback()
    set_active(db.session.merge(user), True)
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401  # the old session does not come back
    assert _login_form(client, "boss").status_code == 302


def test_disabling_a_volunteer_ends_their_phone_sessions(client, db, network):
    from server.volunteers import operations as vops

    volunteer = vops.create_volunteer(name="王秀英", phone="13800000001",
                                      site=network["east_station"])
    db.session.commit()
    phone_login(client, volunteer)
    assert client.get("/v/").status_code == 200
    vops.set_active(db.session.merge(volunteer), False)
    db.session.commit()
    assert client.get("/v/").status_code == 302


def test_a_cross_origin_form_post_is_refused_even_with_a_valid_token(client, create_admin,
                                                                       network):
    create_admin("district_admin", network["center"], "boss")
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    form = {"username": "boss", "password": PASSWORD, "csrf_token": token}
    refused = client.post("/login", data=form, headers={"Origin": "https://evil.example.com"})
    assert refused.status_code == 403 and refused.mimetype == "text/html"
    assert "另一个网站" in refused.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    null = client.post("/login", data=form, headers={"Origin": "null"})
    assert null.status_code == 403
    ours = client.post("/login", data=form, headers={"Origin": BASE_URL})
    assert ours.status_code == 302
    assert client.get("/api/v1/me").status_code == 200


def test_a_cross_origin_api_write_is_refused_in_json(client):
    refused = client.post("/api/v1/codes/resolve", json={"text": "x"},
                          headers={"Origin": "https://evil.example.com"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "cross_origin"
    same_host = client.post("/api/v1/codes/resolve", json={"text": "x"},
                            headers={"Origin": "http://localhost"})
    assert same_host.status_code == 400  # the request's own address is ours too
    # A read is never refused for its Origin.
    assert client.get("/api/v1/keys", headers={"Origin": "https://evil.example.com"}
                      ).status_code == 200


def test_kiosk_answers_set_no_session_cookie(client, create_admin, network, enroll_kiosk):
    kiosk = enroll_kiosk()
    # Even a client that holds a refreshed, permanent browser session gets none from the API.
    create_admin("district_admin", network["center"], "boss")
    assert _login_form(client, "boss").status_code == 302
    for response in (
        client.get("/api/v1/kiosk/state", headers=kiosk.headers),
        client.get("/api/v1/kiosk/volunteers?since=0", headers=kiosk.headers),
        kiosk.upload([]),
        client.get("/api/v1/keys", headers=kiosk.headers),
    ):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert not [c for c in _set_cookies(response) if "session=" in c], response.request.path
    assert [c for c in _set_cookies(client.get("/api/v1/me")) if "session=" in c]
