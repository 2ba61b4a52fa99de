"""Bad input at the edge: NUL and other controls, lone surrogates, integers out of range,
deep JSON, extreme dates and wrong types are a clear 400 (404 for an id no row can have) in
the route's own shape, never a 5xx, and the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.conftest import csrf_token_in

BIG = 2**31  # one past PostgreSQL's integer
HUGE = 2**63  # one past SQLite's integer
FAR = "9999-12-31T23:59:59-14:00"  # moved into UTC it leaves datetime's range
DEEP = "[" * 200_000


@pytest.fixture
def admin(create_admin, network, login):
    user = create_admin("district_admin", network["center"])
    return login(user)


def _is_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    body = response.get_json()
    assert isinstance(body, dict) and body["error"]["code"], body
    return body["error"]


# ---- path, query and JSON body of the API, as an admin ---------------------------------------

ADMIN_GETS = [
    (f"/api/v1/sites/{BIG}", 404),
    (f"/api/v1/sites/{HUGE}", 404),
    (f"/api/v1/sites/{HUGE * 10}", 404),
    (f"/api/v1/sites/{BIG}/code", 404),
    (f"/api/v1/activities/{BIG}", 404),
    (f"/api/v1/sites?parent_id={BIG}", 400),
    (f"/api/v1/sites?parent_id={HUGE}", 400),
    ("/api/v1/sites?q=a%00b", 400),
    ("/api/v1/sites?kind=%1f", 400),
    (f"/api/v1/orders/menu?site_id={BIG}", 400),
    ("/api/v1/orders/menu?site_id=%00", 400),
    (f"/api/v1/orders?item_id={HUGE}", 400),
    (f"/api/v1/honors?site_id={BIG}", 400),
    (f"/api/v1/activities?site_id={HUGE}", 400),
    (f"/api/v1/activities/stats?site_id={BIG}", 400),
    ("/api/v1/activities/stats?from=%00", 400),
    (f"/api/v1/volunteers?team={BIG}", 400),
    (f"/api/v1/volunteers?site={HUGE}", 400),
    (f"/api/v1/volunteers?page={BIG}", 400),
    (f"/api/v1/revocations?since={HUGE}", 400),
    ("/api/v1/volunteers/V%00001", 400),
    ("/api/v1/ledger/volunteers/%00/balance", 400),
]


@pytest.mark.parametrize(("path", "status"), ADMIN_GETS)
def test_api_parameters_out_of_range_or_with_controls(client, admin, path, status):
    error = _is_json_error(client.get(path), status)
    if status == 400:
        assert error["field"], error


def _site_body(network, **fields):
    return {"kind": "point", "name": "图书室", "parent_id": network["east_station"].id,
            **fields}


ADMIN_WRITES = [
    ("post", "/api/v1/sites", lambda n: _site_body(n, name="图书\x00室"), "name"),
    ("post", "/api/v1/sites", lambda n: _site_body(n, name="图书\ud800室"), "name"),
    ("post", "/api/v1/sites", lambda n: _site_body(n, address="\x07"), "address"),
    ("post", "/api/v1/sites", lambda n: _site_body(n, parent_id=BIG), "parent_id"),
    ("post", "/api/v1/sites", lambda n: _site_body(n, parent_id=HUGE), "parent_id"),
    ("post", "/api/v1/sites", lambda n: _site_body(n, lat=1e400), None),
    ("patch", "/api/v1/sites/{library}", lambda n: {"name": "a\x00"}, "name"),
    ("patch", "/api/v1/sites/{library}", lambda n: {"name": 5}, "name"),
    ("post", "/api/v1/sites/{library}/code/rotate", lambda n: {"reason": "旧\x00码"}, "reason"),
    ("post", "/api/v1/sites/{library}/code/rotate", lambda n: {"reason": 5}, "reason"),
    ("post", "/api/v1/sites/{library}/code/revoke", lambda n: {"reason": "\ud800"}, "reason"),
    ("post", "/api/v1/sites/{library}/code/revoke", lambda n: {"reason": 12}, "reason"),
    ("post", "/api/v1/sites/{library}/code/revoke", lambda n: {"reason": ["x"]}, "reason"),
    ("post", "/api/v1/codes/resolve", lambda n: {"text": "\x00"}, "text"),
    ("post", "/api/v1/volunteers", lambda n: {"name": "王\x00", "phone": "13800000009",
                                              "home_site_id": n["east_station"].id}, "name"),
    ("post", "/api/v1/volunteers", lambda n: {"name": "王", "phone": "13800000009",
                                              "home_site_id": BIG}, "home_site_id"),
    ("post", "/api/v1/orders/260101{library}/dispatch", lambda n: {"team_id": HUGE}, None),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), ADMIN_WRITES)
def test_api_bodies_with_controls_or_out_of_range(client, admin, network, method, path, body,
                                                   field):
    path = path.format(library=network["library"].id)
    response = getattr(client, method)(path, json=body(network),
                                       headers={"X-CSRFToken": admin})
    error = _is_json_error(response, 400 if "dispatch" not in path else response.status_code)
    assert response.status_code < 500
    if field:
        assert error["field"] == field, error


@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/sites/{library}/code/rotate",
                                  "/api/v1/kiosk/actions", "/api/v1/kiosk/enroll",
                                  "/api/v1/codes/resolve"])
def test_deeply_nested_json_is_refused(client, admin, network, path):
    response = client.post(path.format(library=network["library"].id), data=DEEP,
                           content_type="application/json", headers={"X-CSRFToken": admin})
    _is_json_error(response, 400)


# ---- the kiosk's own routes ------------------------------------------------------------------

def test_enroll_name_with_nul_is_refused(client, db, network):
    from server.codes.operations import code_url
    from server.devices import operations as dops

    _, code = dops.create_enrollment(network["library"])
    url = code_url(code)
    db.session.commit()
    response = client.post("/api/v1/kiosk/enroll", json={"code": url, "name": "一号\x00机"})
    assert _is_json_error(response, 400)["field"] == "name"
    # The enrollment code was not used up by the refusal.
    response = client.post("/api/v1/kiosk/enroll", json={"code": url, "name": "一号机"})
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["code=%00", "code=S1%00", f"code={'9' * 30}",
                                   "code=%ED%A0%80"])
def test_kiosk_order_status_with_bad_code(client, enroll_kiosk, query):
    kiosk = enroll_kiosk()
    response = client.get(f"/api/v1/kiosk/order-status?{query}", headers=kiosk.headers)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"]


@pytest.mark.parametrize("query", ["since=%00", f"since={HUGE}", f"since={BIG}", "since=-1"])
def test_kiosk_volunteer_feed_with_bad_cursor(client, enroll_kiosk, query):
    kiosk = enroll_kiosk()
    response = client.get(f"/api/v1/kiosk/volunteers?{query}", headers=kiosk.headers)
    assert _is_json_error(response, 400)["field"] == "since"


@pytest.mark.parametrize("batch", [
    {"actions": [], "sent_at": FAR},
    {"actions": [], "sent_at": 5},
    {"actions": [], "clock_offset_ms": HUGE},
    {"actions": [], "sent_at": "2026-01-01T00:00:00\x00+08:00"},
])
def test_kiosk_batch_envelope(client, enroll_kiosk, batch):
    """What a batch says about itself is checked; a wrong envelope is one clear 400."""
    kiosk = enroll_kiosk()
    response = kiosk.upload(**batch)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert response.get_json()["error"]["code"]


# ---- pages: dashboard and phone forms --------------------------------------------------------

def _form(client, page: str, path: str, **fields):
    token = csrf_token_in(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


FORMS = [
    ("/admin/sites/{library}/edit", "/admin/sites/{library}/edit",
     {"name": "图书\x00室", "address": "东村"}),
    ("/admin/sites/{east_station}/new", "/admin/sites/{east_station}/new",
     {"kind": "point", "name": "新\x00点"}),
    ("/admin/sites/{library}", "/admin/sites/{library}/code/rotate", {"reason": "旧\x00"}),
    ("/admin/sites/{library}", "/admin/sites/{library}/code/revoke", {"reason": "\x1b[2J"}),
]


@pytest.mark.parametrize(("page", "path", "fields"), FORMS)
def test_dashboard_forms_with_controls(client, admin, network, page, path, fields):
    ids = {name: site.id for name, site in network.items()}
    response = _form(client, page.format(**ids), path.format(**ids), **fields)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "text/html" in response.content_type


def test_kiosk_revoke_reason_with_nul(client, db, admin, enroll_kiosk, network):
    db.session.rollback()  # no snapshot from before the login's writes
    kiosk = enroll_kiosk()
    page = f"/admin/sites/{network['library'].id}/kiosks"
    response = _form(client, page, f"/admin/kiosks/{kiosk.id}/revoke", reason="坏\x00了")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    state = kiosk.client.get("/api/v1/kiosk/state", headers=kiosk.headers)
    assert state.status_code == 200  # not revoked by a refused form


@pytest.mark.parametrize("fields", [{"note": "请\x00带伞"}, {"place": "三\x00楼"},
                                    {"item_id": str(HUGE)}, {"item_id": str(BIG)},
                                    {"preferred_at": FAR}])
def test_phone_order_form(client, network, menu, fields):
    page = f"/orders/new/{network['library'].id}"
    data = {"item_id": str(menu["care"].id), "phone": "13800000042", **fields}
    response = _form(client, page, page, **data)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    assert "text/html" in response.content_type


@pytest.mark.parametrize("query", ["code=%00", "code=12%0034", "code=%ED%A0%80",
                                   f"code={'1' * 5000}"])
def test_short_code_entry(client, query):
    response = client.get(f"/s/?{query}")
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    assert "text/html" in response.content_type


@pytest.mark.parametrize("path", [f"/admin/sites/{BIG}", f"/admin/sites/{HUGE}/edit",
                                  f"/orders/new/{HUGE}", f"/admin/kiosks/{BIG}/revoke"])
def test_page_ids_out_of_range_are_not_found(client, admin, path):
    response = client.get(path) if "revoke" not in path else client.post(path)
    assert response.status_code in (404, 400), response.status_code


def test_json_error_is_the_same_shape_on_both_backends(client, admin):
    response = client.get(f"/api/v1/sites/{HUGE}")
    assert json.loads(response.get_data())["error"]["code"] == "not_found"
