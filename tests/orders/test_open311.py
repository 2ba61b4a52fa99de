"""Open311 GeoReport v2 through a client written from the spec (georeport_client), in both of
the spec's formats: discovery, services, posting and following requests, the optional phone,
the reporter's own view, the area served and the date window of GET requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from server.orders import operations as ops
from server.orders.models import Order, OrderNotice
from tests.orders.georeport_client import (
    POSTED_FIELDS,
    REQUEST_FIELDS,
    SERVICE_FIELDS,
    W3C,
    GeoReportClient,
    discover,
)

FORMATS = ("xml", "json")
pytestmark = pytest.mark.app_config({"OPEN311_API_KEYS": "test-key,other"})


@pytest.fixture(params=FORMATS)
def fmt(request):
    return request.param


@pytest.fixture
def open311(client, fmt):
    return GeoReportClient(client, fmt, api_key="test-key")


@pytest.fixture
def located(db, network):
    """The network with coordinates: the center and the library, about 20 km apart."""
    from server.sites.operations import update_site

    update_site(network["center"], latitude=32.3225, longitude=105.9631, address="测试区政府路1号",
                contact_name="中心办公室", contact_phone="0839-1234567")
    update_site(network["library"], latitude=32.45, longitude=106.10, address="东村图书室路2号")
    db.session.commit()
    return network


def count_orders(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Order))


def test_discovery_names_the_v2_endpoint_in_both_formats(client, fmt, located, menu):
    status, document = discover(client, fmt)
    assert status == 200
    assert W3C.match(document["changeset"])
    assert "0839-1234567" in document["contact"] and document["key_service"]
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://zhaohua.example.org/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    # The endpoint the document names is the one that answers.
    root = endpoint["url"].removeprefix("https://zhaohua.example.org")
    for format_name in ("xml", "json"):
        status, services = GeoReportClient(client, format_name, root=root).services()
        assert status == 200 and len(services) == 3


def test_changeset_moves_when_a_service_is_added(client, db, network, menu):
    from server.orders.menu import create_item

    before = discover(client, "json").body["changeset"]
    create_item(site=network["center"], name="理论宣讲", content_area="学习实践科学理论",
                brand="理响巴蜀")
    db.session.commit()
    after = discover(client, "xml").body["changeset"]
    assert after >= before and W3C.match(after)


def test_services_list_and_definition(open311, menu):
    status, services = open311.services()
    assert status == 200 and len(services) == 3
    for service in services:
        assert set(service) >= SERVICE_FIELDS
        assert service["type"] in ("realtime", "batch", "blackbox")
        assert service["metadata"] in ("true", "false")
    care = next(s for s in services if s["service_name"] == "助老陪护")
    assert care["group"] == "培育践行主流价值" and care["keywords"] == "情暖万家"
    status, definition = open311.service_definition(care["service_code"])
    assert status == 200 and definition == {"service_code": care["service_code"],
                                            "attributes": []}
    answer = open311.service_definition("99999")
    assert (answer.status, answer.error) == (404, "item_not_found")


def test_json_keeps_the_spec_types(client, menu, network):
    services = GeoReportClient(client, "json").services().raw
    assert all(isinstance(s["metadata"], bool) for s in services)
    client_ = GeoReportClient(client, "json", api_key="test-key")
    posted = client_.post_request(service_code=str(menu["care"].id),
                                  address_id=str(network["library"].id)).raw
    assert posted[0]["account_id"] is None
    assert isinstance(posted[0]["service_request_id"], str)


def test_post_a_request_then_follow_it_to_closed(open311, db, menu, network, teams):
    code = str(menu["care"].id)
    status, body = open311.post_request(service_code=code, address_id=str(network["library"].id),
                                        phone="13812345678", description="帮忙买药",
                                        first_name="秀英", last_name="王", email="w@example.org")
    assert status == 200 and len(body) == 1 and set(body[0]) == POSTED_FIELDS
    request_id = body[0]["service_request_id"]

    status, [found] = open311.request(request_id)
    assert status == 200 and set(found) >= REQUEST_FIELDS
    assert (found["status"], found["detailed_status"]) == ("open", "dispatched")
    assert W3C.match(found["requested_datetime"]) and W3C.match(found["updated_datetime"])
    assert found["address_id"] == str(network["library"].id)
    public = GeoReportClient(open311.http, open311.fmt)
    status, [seen] = public.request(request_id)
    assert "13812345678" not in str(seen) and "帮忙买药" not in str(seen)  # kept private

    db.session.rollback()
    order = ops.get_order(request_id)
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    db.session.commit()
    status, [done] = public.request(request_id)
    assert (done["status"], done["detailed_status"]) == ("closed", "completed")
    status, closed = public.requests(status="closed")
    assert [r["service_request_id"] for r in closed] == [request_id]
    status, opened = public.requests(status="open")
    assert opened == []
    status, both = public.requests(status="open,closed")
    assert [r["service_request_id"] for r in both] == [request_id]
    status, by_id = public.requests(service_request_id=f"{request_id},nonexistent")
    assert [r["service_request_id"] for r in by_id] == [request_id]


def test_post_by_lat_long_and_by_address_string(open311, db, menu, located):
    status, body = open311.post_request(service_code=str(menu["film"].id), lat="32.32",
                                        long="105.96", phone="13812345679")
    assert status == 200
    status, body = open311.post_request(service_code=str(menu["film"].id),
                                        address_string="卡尔广场", phone="13812345670")
    assert status == 200
    db.session.rollback()
    order = ops.get_order(body[0]["service_request_id"])
    assert (order.channel, order.place) == ("open311", "卡尔广场")


def test_a_request_without_phone_is_accepted_and_marked_no_callback(
        open311, client, db, menu, network, teams, create_admin, login):
    status, body = open311.post_request(service_code=str(menu["care"].id),
                                        address_id=str(network["library"].id),
                                        description="路灯不亮")
    assert status == 200
    number = body[0]["service_request_id"]
    db.session.rollback()
    order = ops.get_order(number)
    assert order.has_callback is False and order.phone == ""
    ops.accept(order, teams["member"])  # no one to tell: no notice for a resident
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OrderNotice).where(
        OrderNotice.recipient_type == "resident")) == 0

    login(create_admin("district_admin", network["center"]))
    page = client.get(f"/admin/orders/{number}").get_data(as_text=True)
    assert "无法回电" in page
    # Another Open311 report without a phone is not held back by a per-phone daily limit.
    for _ in range(6):
        assert open311.post_request(service_code=str(menu["care"].id),
                                    address_id=str(network["library"].id)).status == 200
    # A phone that is given must still be a real mobile number.
    answer = open311.post_request(service_code=str(menu["care"].id),
                                  address_id=str(network["library"].id), phone="123")
    assert (answer.status, answer.error) == (400, "invalid_phone")


def test_the_reporter_reads_back_its_own_description_and_location(open311, client, fmt, db,
                                                                  menu, located):
    status, body = open311.post_request(service_code=str(menu["film"].id), lat="32.40",
                                        long="106.00", address_string="卡尔广场东门",
                                        description="广场东门的路灯坏了", phone="13812345671")
    assert status == 200
    number = body[0]["service_request_id"]
    center = located["center"]

    status, [own] = open311.request(number)  # the client sends its api_key
    assert (own["description"], own["address"]) == ("广场东门的路灯坏了", "卡尔广场东门")
    assert (float(own["lat"]), float(own["long"])) == (32.40, 106.00)
    status, [listed] = open311.requests()
    assert listed["description"] == "广场东门的路灯坏了"

    for reader in (GeoReportClient(client, fmt),  # the public
                   GeoReportClient(client, fmt, api_key="other")):  # another key holder
        status, [public] = reader.request(number)
        assert status == 200
        assert (public["description"], public["address"]) == ("电影放映", "测试区政府路1号")
        assert (float(public["lat"]), float(public["long"])) == (center.latitude,
                                                                 center.longitude)
        status, [listed] = reader.requests()
        assert listed["address"] == "测试区政府路1号"
    for reader in (open311, GeoReportClient(client, fmt)):
        assert "13812345671" not in str(reader.request(number).body)
    answer = GeoReportClient(client, fmt, api_key="stolen").request(number)
    assert (answer.status, answer.error) == (403, "invalid_api_key")


def test_lat_long_are_range_checked_and_inside_the_area(open311, db, menu, located):
    code = str(menu["film"].id)
    cases = [
        ({"lat": "91", "long": "105.9"}, "coordinate_out_of_range"),
        ({"lat": "32.3", "long": "-181"}, "coordinate_out_of_range"),
        ({"lat": "nan", "long": "105.9"}, "invalid_number"),
        ({"lat": "32.3", "long": "inf"}, "invalid_number"),
        ({"lat": "1e999", "long": "105.9"}, "invalid_number"),
        ({"lat": "３２.３", "long": "105.9"}, "invalid_number"),  # full-width digits
        ({"lat": "32.3"}, "incomplete_coordinates"),
        ({"long": "105.9"}, "incomplete_coordinates"),
        ({"lat": "39.9042", "long": "116.4074"}, "outside_jurisdiction"),  # Beijing
        ({"lat": "-32.3225", "long": "105.9631"}, "outside_jurisdiction"),
    ]
    for fields, code_expected in cases:
        answer = open311.post_request(service_code=code, **fields)
        assert (answer.status, answer.error) == (400, code_expected), fields
    assert count_orders(db) == 0
    # The area is the box around the sites' coordinates and 0.3° more on every side.
    for lat, lng in (("32.3225", "105.9631"), ("32.03", "105.67"), ("32.74", "106.39")):
        assert open311.post_request(service_code=code, lat=lat, long=lng).status == 200
    assert open311.post_request(service_code=code, lat="32.0", long="105.9631").status == 400


@pytest.mark.app_config({"OPEN311_API_KEYS": "test-key", "OPEN311_AREA": "30,100,35,110"})
def test_the_area_can_be_set(client, db, menu, network):
    open311 = GeoReportClient(client, "xml", api_key="test-key")
    code = str(menu["film"].id)
    assert open311.post_request(service_code=code, lat="30.5", long="100.5").status == 200
    answer = open311.post_request(service_code=code, lat="29.9", long="105")
    assert (answer.status, answer.error) == (400, "outside_jurisdiction")


def test_an_unknown_area_accepts_any_point_on_the_globe(open311, menu):
    # No site has coordinates: the area is unknown, only the range is checked.
    assert open311.post_request(service_code=str(menu["film"].id), lat="-33.86",
                                long="151.21").status == 200


def test_the_area_setting_is_checked_at_start_up(database_url):
    from server import create_app

    for bad in ("north", "1,2,3", "40,100,30,110", "30,100,35,190"):
        with pytest.raises(ValueError, match="OPEN311_AREA"):
            create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k",
                        "OPEN311_AREA": bad})


def _placed_at(db, number: str, moment: datetime) -> None:
    db.session.rollback()
    order = ops.get_order(number)
    order.placed_at = moment
    db.session.commit()


def test_the_date_window_of_get_requests(open311, db, menu, network):
    now = datetime.now(UTC).replace(microsecond=0)
    numbers = {}
    for label, days_ago in (("recent", 1), ("older", 100)):
        body = open311.post_request(service_code=str(menu["care"].id),
                                    address_id=str(network["library"].id)).body
        numbers[label] = body[0]["service_request_id"]
        _placed_at(db, numbers[label], now - timedelta(days=days_ago))

    def found(**params):
        answer = open311.requests(**params)
        assert answer.status == 200, answer.body
        return {r["service_request_id"] for r in answer.body}

    def w3c(days_ago: float, offset_hours: int = 0) -> str:
        zone = timezone(timedelta(hours=offset_hours))
        moment = (now - timedelta(days=days_ago)).astimezone(zone)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if not offset_hours else \
            moment.isoformat(timespec="seconds")

    assert found() == {numbers["recent"]}  # the last 90 days by default
    assert found(start_date=w3c(120)) == {numbers["older"]}  # 90 days from the start
    assert found(end_date=w3c(95)) == {numbers["older"]}  # 90 days up to the end
    assert found(start_date=w3c(101), end_date=w3c(11)) == {numbers["older"]}  # exactly 90
    assert found(start_date=w3c(2, offset_hours=8)) == {numbers["recent"]}
    assert found(start_date=w3c(2, offset_hours=-14)) == {numbers["recent"]}

    for params, code in (
        ({"start_date": w3c(120), "end_date": w3c(1)}, "span_too_long"),
        ({"start_date": w3c(1), "end_date": w3c(2)}, "end_before_start"),
        ({"start_date": "yesterday"}, "invalid_date"),
        ({"start_date": "2026-11-01"}, "invalid_date"),  # the spec wants a date-time
        ({"end_date": "2026-11-01T00:00:00"}, "invalid_date"),  # ... with its time zone
        ({"end_date": "2026-02-30T00:00:00Z"}, "invalid_date"),
        ({"status": "pending"}, "invalid_status"),
    ):
        answer = open311.requests(**params)
        assert (answer.status, answer.error) == (400, code), params


@pytest.mark.app_config({"OPEN311_API_KEYS": "test-key", "RATELIMIT_ENABLED": True,
                         "ORDERS_RATELIMIT": "2 per minute"})
def test_too_many_posts_answer_429_in_the_requested_format(client, menu, network):
    fields = {"service_code": str(menu["care"].id), "address_id": str(network["library"].id)}
    xml = GeoReportClient(client, "xml", api_key="test-key")
    json = GeoReportClient(client, "json", api_key="test-key")
    assert [xml.post_request(**fields).status, json.post_request(**fields).status] == [200, 200]
    for open311 in (json, xml):
        answer = open311.post_request(**fields)
        assert (answer.status, answer.error) == (429, "rate_limited")
