"""Request bodies are capped per route, and a body past its cap is a 413 in the route's own
shape (JSON for the API, the error page for pages) without being parsed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import csrf_token_in

TWENTY_MB = 20 * 1024 * 1024


def test_the_app_has_a_ceiling(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024


def _batch(size: int) -> bytes:
    note = "x" * 1000
    actions = [{"key": f"k{i}", "kind": "order", "client_time": "2026-01-01T00:00:00+08:00",
                "body": {"item_id": 1, "phone": "13800000001", "note": note}}
               for i in range(size // 1100 + 1)]
    return json.dumps({"actions": actions}).encode()


def test_a_twenty_megabyte_kiosk_batch_is_413_json(client, enroll_kiosk):
    kiosk = enroll_kiosk()
    response = client.post("/api/v1/kiosk/actions", data=_batch(TWENTY_MB),
                           content_type="application/json", headers=kiosk.headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_a_kiosk_batch_of_a_megabyte_is_within_its_cap(client, enroll_kiosk):
    kiosk = enroll_kiosk()
    body = json.loads(_batch(1024 * 1024))
    body["actions"] = body["actions"][:500]
    response = client.post("/api/v1/kiosk/actions", json=body, headers=kiosk.headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:200]


@pytest.mark.parametrize("path", ["/api/v1/codes/resolve", "/api/v1/kiosk/enroll"])
def test_a_twenty_megabyte_api_body_is_413_json(client, path):
    body = json.dumps({"text": "x" * TWENTY_MB}).encode()
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_a_half_megabyte_api_body_is_413(client):
    """The API's own cap (256 KB) is far below the ceiling."""
    body = json.dumps({"text": "x" * 512 * 1024}).encode()
    response = client.post("/api/v1/codes/resolve", data=body,
                           content_type="application/json")
    assert response.status_code == 413


def test_a_twenty_megabyte_form_is_413_html(client, network, menu):
    page = f"/orders/new/{network['library'].id}"
    token = csrf_token_in(client.get(page).get_data(as_text=True))
    response = client.post(page, data={"csrf_token": token, "item_id": str(menu["care"].id),
                                       "phone": "13800000042", "note": "x" * TWENTY_MB})
    assert response.status_code == 413
    assert "text/html" in response.content_type


def test_a_twenty_megabyte_photo_upload_is_413_html(client, create_admin, network, login):
    login(create_admin("district_admin", network["center"]))
    token = csrf_token_in(client.get("/admin/honors/new").get_data(as_text=True))
    boundary = "edgeboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; "
            f"filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() \
        + b"\xff" * TWENTY_MB + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/admin/honors/new", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "text/html" in response.content_type
