"""Open311 GeoReport v2 through a small client written from the published spec's field names
and formats (wiki.open311.org/GeoReport_v2), not from our own schemas."""

from __future__ import annotations

import re

import pytest

from server.orders import operations as ops

ROOT = "/open311/v2"
JURISDICTION = "zhaohua.example.org"  # the host of the test BASE_URL
W3C = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}


class GeoReportClient:
    """What an Open311 client does: form-encoded POSTs, JSON by the .json suffix, errors as
    [{"code", "description"}]."""

    def __init__(self, http, api_key=None, jurisdiction_id=JURISDICTION):
        self.http, self.api_key, self.jurisdiction_id = http, api_key, jurisdiction_id

    def _get(self, path, **params):
        params = {"jurisdiction_id": self.jurisdiction_id, **params}
        response = self.http.get(f"{ROOT}/{path}", query_string=params)
        assert response.mimetype == "application/json"
        return response.status_code, response.get_json()

    def services(self):
        return self._get("services.json")

    def service_definition(self, code):
        return self._get(f"services/{code}.json")

    def post_request(self, **fields):
        form = {"jurisdiction_id": self.jurisdiction_id, "api_key": self.api_key, **fields}
        response = self.http.post(f"{ROOT}/requests.json",
                                  data={k: v for k, v in form.items() if v is not None})
        return response.status_code, response.get_json()

    def requests(self, **params):
        return self._get("requests.json", **params)

    def request(self, request_id):
        return self._get(f"requests/{request_id}.json")


def assert_errors(body, code):
    assert isinstance(body, list) and body and all(set(e) == {"code", "description"}
                                                   for e in body)
    assert body[0]["code"] == code and body[0]["description"]


@pytest.fixture
def open311(client):
    return GeoReportClient(client, api_key="test-key")


pytestmark = pytest.mark.app_config({"OPEN311_API_KEYS": "test-key,other"})


def test_services_list_and_definition(open311, menu):
    status, services = open311.services()
    assert status == 200 and len(services) == 3
    for service in services:
        assert set(service) >= SERVICE_FIELDS
        assert service["type"] in ("realtime", "batch", "blackbox")
        assert isinstance(service["metadata"], bool)
    care = next(s for s in services if s["service_name"] == "助老陪护")
    assert care["group"] == "培育践行主流价值" and care["keywords"] == "情暖万家"
    status, definition = open311.service_definition(care["service_code"])
    assert status == 200 and definition["service_code"] == care["service_code"]
    assert definition["attributes"] == []
    status, body = open311.service_definition("99999")
    assert status == 404
    assert_errors(body, 404)


def test_post_a_request_then_follow_it_to_closed(open311, db, menu, network, teams):
    code = str(menu["care"].id)
    status, body = open311.post_request(service_code=code, address_id=str(network["library"].id),
                                        phone="13812345678", description="帮忙买药",
                                        first_name="秀英", last_name="王")
    assert status == 200 and len(body) == 1
    request_id = body[0]["service_request_id"]
    assert set(body[0]) >= {"service_request_id"} and "token" not in body[0]

    status, [found] = open311.request(request_id)
    assert status == 200 and set(found) >= REQUEST_FIELDS
    assert (found["status"], found["detailed_status"]) == ("open", "dispatched")
    assert W3C.match(found["requested_datetime"]) and W3C.match(found["updated_datetime"])
    assert found["address_id"] == str(network["library"].id)
    assert "13812345678" not in str(found) and "帮忙买药" not in str(found)  # kept private

    db.session.rollback()
    order = ops.get_order(request_id)
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    db.session.commit()
    status, [done] = open311.request(request_id)
    assert (done["status"], done["detailed_status"]) == ("closed", "completed")
    status, closed = open311.requests(status="closed")
    assert [r["service_request_id"] for r in closed] == [request_id]
    status, opened = open311.requests(status="open")
    assert opened == []
    status, by_id = open311.requests(service_request_id=f"{request_id},nonexistent")
    assert [r["service_request_id"] for r in by_id] == [request_id]


def test_post_by_lat_long_and_address_string(open311, db, menu):
    status, body = open311.post_request(service_code=str(menu["film"].id), lat="32.32",
                                        long="105.96", phone="13812345679")
    assert status == 200
    status, body = open311.post_request(service_code=str(menu["film"].id),
                                        address_string="卡尔广场", phone="13812345670")
    assert status == 200
    db.session.rollback()
    order = ops.get_order(body[0]["service_request_id"])
    assert (order.channel, order.place) == ("open311", "卡尔广场")


def test_errors_come_in_the_open311_error_array(client, open311, db, menu):
    no_key = GeoReportClient(client, api_key="wrong")
    status, body = no_key.post_request(service_code=str(menu["care"].id), lat="1", long="1",
                                       phone="13812345678")
    assert status == 403
    assert_errors(body, 403)
    status, body = open311.post_request(service_code=str(menu["care"].id), lat="1", long="1",
                                        phone="123")
    assert status == 400
    assert_errors(body, 400)
    status, body = open311.post_request(service_code=str(menu["care"].id), phone="13812345678")
    assert status == 400 and "位置" in body[0]["description"]
    status, body = open311.requests(start_date="yesterday")
    assert status == 400
    assert_errors(body, 400)
    status, body = open311.request("00000000000")
    assert status == 404
    assert_errors(body, 404)
    wrong_place = GeoReportClient(client, api_key="test-key", jurisdiction_id="elsewhere.gov")
    status, body = wrong_place.services()
    assert status == 404
    assert_errors(body, 404)
    db.session.rollback()
    from sqlalchemy import func, select

    from server.orders.models import Order

    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
