"""The site tree over JSON: shape, scope, and bad input that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.sites.models import Site


@pytest.fixture
def district_admin(create_admin, network):
    return create_admin("district_admin", network["center"], "district")


@pytest.fixture
def station_admin(create_admin, network):
    return create_admin("station_admin", network["east_station"], "eaststation")


def _count(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Site))


def test_api_needs_login(client, network):
    response = client.get("/api/v1/sites")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "login_required"


def test_create_point(client, login, db, district_admin, network):
    token = login(district_admin)
    response = client.post("/api/v1/sites", headers={"X-CSRFToken": token}, json={
        "kind": "point", "parent_id": network["center"].id, "name": "区文化馆",
        "address": "昭化区元坝镇", "latitude": 32.32, "longitude": 105.96,
    })
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "区文化馆"
    assert body["path"] == [network["center"].id, body["id"]]
    assert client.get(f"/api/v1/sites/{body['id']}").get_json()["kind"] == "point"


def test_writes_need_the_csrf_token(client, login, db, district_admin, network):
    login(district_admin)
    before = _count(db)
    response = client.post("/api/v1/sites", json={
        "kind": "point", "parent_id": network["center"].id, "name": "区文化馆"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert _count(db) == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "station", "name": "x"}, 400, "invalid_parent"),  # under the center
        ({"kind": "point", "parent_id": 999999, "name": "x"}, 404, "site_not_found"),
        ({"kind": "point", "parent_id": "one", "name": "x"}, 400, "invalid_type"),
        ({"kind": "point", "name": "x", "colour": "red"}, 400, "unknown_field"),
        ({"kind": "point"}, 400, "required"),
        ({"kind": "point", "name": "名" * 65}, 400, "too_long"),
        ({"kind": "center", "name": "又一个中心", "parent_id": None}, 409, "second_center"),
        ({"kind": "institute", "name": "东镇新时代文明实践所"}, 409, "duplicate_name"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(client, login, db, district_admin, network,
                                                  body, status, code):
    token = login(district_admin)
    body = {"parent_id": network["center"].id, **body}
    before = _count(db)
    response = client.post("/api/v1/sites", headers={"X-CSRFToken": token}, json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert _count(db) == before


def test_body_must_be_a_json_object(client, login, district_admin):
    token = login(district_admin)
    response = client.post("/api/v1/sites", headers={"X-CSRFToken": token,
                                                     "Content-Type": "application/json"},
                           data="[1, 2")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_station_admin_sees_only_its_subtree(client, login, db, station_admin, network):
    token = login(station_admin)
    listed = {s["id"] for s in client.get("/api/v1/sites").get_json()["sites"]}
    assert listed == {network["east_station"].id, network["library"].id}

    other = network["west_station"]
    assert client.get(f"/api/v1/sites/{other.id}").status_code == 404
    response = client.patch(f"/api/v1/sites/{other.id}", headers={"X-CSRFToken": token},
                            json={"name": "改名"})
    assert response.status_code == 404
    missing = client.patch("/api/v1/sites/999999", headers={"X-CSRFToken": token},
                           json={"name": "改名"})
    assert response.get_json() == missing.get_json()
    response = client.post("/api/v1/sites", headers={"X-CSRFToken": token},
                           json={"kind": "point", "parent_id": other.id, "name": "越权的点"})
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(Site, other.id).name == "西村新时代文明实践站"


def test_station_admin_cannot_deactivate_its_own_station(client, login, station_admin, network):
    token = login(station_admin)
    response = client.post(f"/api/v1/sites/{network['east_station'].id}/deactivate",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "own_site"


def test_patch_and_deactivate(client, login, db, district_admin, network):
    token = login(district_admin)
    east = network["east"].id
    response = client.patch(f"/api/v1/sites/{east}", headers={"X-CSRFToken": token},
                            json={"address": "东镇政府大院"})
    assert response.get_json()["address"] == "东镇政府大院"
    response = client.patch(f"/api/v1/sites/{east}", headers={"X-CSRFToken": token},
                            json={"kind": "station"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "not_editable"
    response = client.post(f"/api/v1/sites/{east}/deactivate", headers={"X-CSRFToken": token})
    assert response.get_json()["is_active"] is False
    listed = client.get(f"/api/v1/sites?parent_id={east}&active=1").get_json()["sites"]
    assert listed == []
