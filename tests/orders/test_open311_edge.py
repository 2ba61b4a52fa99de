"""Open311 at the edge: unknown routes and methods, the inputs that once answered 500, NUL and
other control characters in every text field, and stored text XML cannot carry. Every answer
is the spec's error array in the requested format, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.orders.models import Order
from tests.orders.georeport_client import JURISDICTION, ROOT, Answer, GeoReportClient

pytestmark = pytest.mark.app_config({"OPEN311_API_KEYS": "test-key"})


def count_orders(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Order))


@pytest.mark.parametrize("method, path, status, fmt", [
    ("GET", "/open311/v2/nothing.xml", 404, "xml"),
    ("GET", "/open311/v2/nothing.json", 404, "json"),
    ("GET", "/open311/v2/tokens/12345.json", 404, "json"),  # our requests are realtime
    ("GET", "/open311/v2/services.html", 404, "xml"),  # no known format: the spec's base
    ("GET", "/open311/v2/services", 404, "xml"),
    ("GET", "/open311/v2/", 404, "xml"),
    ("GET", "/open311", 404, "xml"),
    ("POST", "/open311/v2/unknown.json", 404, "json"),
    ("DELETE", "/open311/v2/requests.json", 405, "json"),
    ("PUT", "/open311/v2/services.xml", 405, "xml"),
    ("PATCH", "/open311/v2/requests/1.xml", 405, "xml"),
    ("POST", "/open311/v2/services/1.json", 405, "json"),
    ("POST", "/open311/discovery.xml", 405, "xml"),
    ("TRACE", "/open311/discovery.json", 405, "json"),
])
def test_unknown_routes_and_methods_answer_the_error_array(client, method, path, status, fmt):
    response = client.open(path, method=method)
    answer = Answer(response, fmt)  # checks the content type and the error array
    assert answer.status == status
    assert answer.error == ("not_found" if status == 404 else "method_not_allowed")
    if status == 405:
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert method not in allowed and allowed & {"GET", "POST"}
        assert ("POST" in allowed) == path.endswith("/requests.json")


def test_the_error_array_stays_inside_open311(client):
    # A neighbouring path is not Open311's: the site's own page answers.
    response = client.get("/open3110/v2/services.json")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_wrong_jurisdiction_and_key_answer_in_either_format(client, menu):
    for fmt in ("xml", "json"):
        answer = GeoReportClient(client, fmt, jurisdiction_id="elsewhere.gov").services()
        assert (answer.status, answer.error) == (404, "unknown_jurisdiction")
        answer = GeoReportClient(client, fmt, api_key="wrong").post_request(
            service_code=str(menu["care"].id), address_string="东村")
        assert (answer.status, answer.error) == (403, "invalid_api_key")
    assert GeoReportClient(client, "xml", jurisdiction_id=None).services().status == 200


TOO_LONG_ID = "9" * 25
BIG_ID = "99999999999"  # above PostgreSQL's integer, and 2147483648 just above it
SUPERSCRIPT = "²"  # str.isdigit() says yes, int() says no


# The inputs that answered 500, by class, each with the answer it gets now.
@pytest.mark.parametrize("call, status, code", [
    # over-long or out-of-range ids, in the path, the query and the form
    (("get", f"services/{BIG_ID}", {}), 404, "item_not_found"),
    (("get", "services/2147483648", {}), 404, "item_not_found"),
    (("get", f"services/{TOO_LONG_ID}", {}), 404, "item_not_found"),
    (("post", "requests", {"service_code": BIG_ID, "address_string": "东村"}), 404,
     "item_not_found"),
    (("post", "requests", {"service_code": "{care}", "address_id": BIG_ID}), 400,
     "invalid_address_id"),
    (("get", f"requests/{TOO_LONG_ID}", {}), 404, "order_not_found"),
    (("get", "requests", {"service_request_id": TOO_LONG_ID * 40}), 200, None),
    (("get", "requests", {"service_code": BIG_ID}), 200, None),
    # digits that are not ASCII digits
    (("get", f"services/{SUPERSCRIPT}", {}), 404, "item_not_found"),
    (("get", "requests", {"service_code": SUPERSCRIPT}), 200, None),
    (("get", "requests", {"service_code": f"{SUPERSCRIPT},{BIG_ID},１"}), 200, None),
    (("post", "requests", {"service_code": SUPERSCRIPT, "address_string": "东村"}), 404,
     "item_not_found"),
    (("post", "requests", {"service_code": "{care}", "address_id": SUPERSCRIPT}), 400,
     "invalid_address_id"),
    # dates at the ends of the calendar
    (("get", "requests", {"start_date": "9999-12-31T23:59:59-14:00"}), 400,
     "date_out_of_range"),
    (("get", "requests", {"end_date": "9999-12-31T23:59:59-14:00"}), 400, "date_out_of_range"),
    (("get", "requests", {"end_date": "0001-01-01T00:00:00+14:00"}), 400, "date_out_of_range"),
    (("get", "requests", {"end_date": "0001-01-01T00:00:00Z"}), 400, "date_out_of_range"),
    (("get", "requests", {"start_date": "9999-01-01T00:00:00Z"}), 400, "date_out_of_range"),
    (("get", "requests", {"start_date": "1969-12-31T23:59:59Z"}), 400, "date_out_of_range"),
    (("get", "requests", {"start_date": "2026-11-01T00:00:00+25:00"}), 400, "invalid_date"),
    # numbers that are not coordinates
    (("post", "requests", {"service_code": "{care}", "lat": "1e999", "long": "1"}), 400,
     "invalid_number"),
    (("post", "requests", {"service_code": "{care}", "lat": "nan", "long": "nan"}), 400,
     "invalid_number"),
    (("post", "requests", {"service_code": "{care}", "lat": "9" * 5000, "long": "1"}), 400,
     "invalid_number"),
    # over-long text and too many ids
    (("post", "requests", {"service_code": "{care}", "address_string": "东" * 121}), 400,
     "too_long"),
    (("post", "requests", {"service_code": "{care}", "address_string": "东村",
                           "description": "药" * 301}), 400, "too_long"),
    (("get", "requests", {"service_request_id": ",".join(str(i) for i in range(1001))}), 400,
     "too_many_ids"),
])
def test_inputs_that_answered_500(client, db, menu, call, status, code):
    verb, resource, params = call
    params = {k: v.replace("{care}", str(menu["care"].id)) for k, v in params.items()}
    for fmt in ("json", "xml"):
        open311 = GeoReportClient(client, fmt, api_key="test-key")
        if verb == "post":
            answer = open311.post_request(**params)
        else:
            answer = open311.get(resource, **params)
        assert answer.status == status, (fmt, answer.body)
        if code is None:
            assert answer.body == []
        else:
            assert answer.error == code
    assert count_orders(db) == 0


POST_FIELDS = ("jurisdiction_id", "api_key", "service_code", "lat", "long", "address_string",
               "address_id", "email", "device_id", "account_id", "first_name", "last_name",
               "phone", "description", "media_url", "attribute[WHISPAWN]")
GET_FIELDS = ("jurisdiction_id", "api_key", "service_request_id", "service_code",
              "start_date", "end_date", "status")
CONTROLS = ("\x00", "\x01", "\x1b", "\x7f")


@pytest.mark.parametrize("field", POST_FIELDS)
def test_a_nul_in_any_posted_field_is_refused(client, db, menu, network, field):
    good = {"jurisdiction_id": JURISDICTION, "api_key": "test-key",
            "service_code": str(menu["care"].id), "lat": "", "long": "",
            "address_string": "东村图书室", "address_id": str(network["library"].id),
            "email": "a@example.org", "device_id": "d1", "account_id": "a1",
            "first_name": "秀英", "last_name": "王", "phone": "13812345678",
            "description": "帮忙买药", "media_url": "https://example.org/1.jpg",
            "attribute[WHISPAWN]": "1"}
    for fmt, control in zip(("json", "xml", "json", "xml"), CONTROLS, strict=True):
        form = {**good, field: good[field] + control + "x"}
        answer = Answer(client.post(f"{ROOT}/requests.{fmt}", data=form), fmt)
        assert (answer.status, answer.error) == (400, "invalid_text"), (fmt, repr(control))
    assert count_orders(db) == 0
    # The same form without the control character is accepted.
    assert Answer(client.post(f"{ROOT}/requests.json", data=good), "json").status == 200


@pytest.mark.parametrize("field", GET_FIELDS)
def test_a_nul_in_any_query_argument_is_refused(client, menu, field):
    for fmt in ("json", "xml"):
        for resource in ("requests", "services", "requests/2611290001"):
            response = client.get(f"{ROOT}/{resource}.{fmt}", query_string={field: "1\x00"})
            answer = Answer(response, fmt)
            assert (answer.status, answer.error) == (400, "invalid_text"), resource
    response = client.get("/open311/discovery.xml", query_string={field: "\x00"})
    assert Answer(response, "xml").error == "invalid_text"


def test_a_nul_in_a_path_segment_or_a_name_is_refused(client, menu):
    for path in ("services/1%00", "requests/1%00", "services/%00", "requests/%01"):
        for fmt in ("json", "xml"):
            answer = Answer(client.get(f"{ROOT}/{path}.{fmt}"), fmt)
            assert (answer.status, answer.error) == (400, "invalid_text"), path
    answer = Answer(client.get(f"{ROOT}/services.xml?a%00b=1"), "xml")
    assert (answer.status, answer.error) == (400, "invalid_text")


def test_bytes_that_are_not_utf8_never_answer_500(client, db, menu):
    # A CESU-8 surrogate and a stray byte: the form decoder cannot read them as text.
    for body in (b"service_code=1&description=\xed\xa0\x80", b"service_code=\xff&api_key=k",
                 b"api_key=test-key&service_code=%ED%A0%80&address_string=%ff"):
        for fmt in ("json", "xml"):
            response = client.post(f"{ROOT}/requests.{fmt}", data=body,
                                   content_type="application/x-www-form-urlencoded")
            answer = Answer(response, fmt)
            assert 400 <= answer.status < 500
    response = client.get(f"{ROOT}/requests/%ED%A0%80.json")
    assert Answer(response, "json").status == 404
    assert count_orders(db) == 0


def test_stored_text_that_xml_cannot_carry_is_written_replaced(client, db, network):
    from server.orders.menu import create_item

    # Written before the edge checked text: a vertical tab is legal in both databases.
    create_item(site=network["center"], name="助老\x0b陪护", content_area="培育践行主流价值",
                brand="情暖万家", description="第一行\n第二行\x1b")
    db.session.commit()
    [service] = GeoReportClient(client, "xml").services().body
    assert service["service_name"] == "助老\ufffd陪护"
    assert service["description"] == "第一行\n第二行\ufffd"
    [service] = GeoReportClient(client, "json").services().body
    assert service["service_name"] == "助老\ufffd陪护"
