"""The resident's receipt rights: rating, cancelling and reopening belong to the receipt holder,
and whoever serves an order can never rate it, however they came by the code or the link."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from server.codes.operations import code_url, live_code
from server.core.errors import Forbidden
from server.orders import operations as ops
from server.orders.models import Rating
from tests.conftest import csrf_token_in


def _code_path(order) -> str:
    return urlsplit(code_url(ops.order_code(order))).path


def _page_of_code(client, order) -> str:
    scanned = client.get(_code_path(order))
    assert scanned.status_code == 302
    return client.get(scanned.headers["Location"]).get_data(as_text=True)


def _ratings(db) -> int:
    db.session.rollback()
    return db.session.query(Rating).count()


def _served(db, place, teams):
    order = place()
    ops.accept(order, teams["member"])
    ops.start(order, teams["member"])
    db.session.commit()
    return order


def test_completing_by_code_hands_over_no_receipt(app, client, db, place, teams, phone_login):
    order = place()
    # Before anyone accepted it, the code is in the resident's hands alone (a kiosk order's
    # resident follows it this way): opening it leads to the receipt.
    assert "/r/" in _page_of_code(app.test_client(), order)
    ops.accept(order, teams["member"])
    db.session.commit()

    volunteer = app.test_client()
    phone_login(volunteer, teams["member"])
    page = _page_of_code(volunteer, order)
    assert "确认服务已完成" in page and "/r/" not in page
    location = volunteer.get(_code_path(order)).headers["Location"]
    done = volunteer.post(location + "/complete", data={"csrf_token": csrf_token_in(page)})
    assert done.status_code == 302
    db.session.rollback()
    assert ops.get_order(order.number).status == "completed"

    # Opening the code again: no receipt, no rating form, for the volunteer or anyone else.
    again = _page_of_code(volunteer, order)
    assert "/r/" not in again and "打开回执" not in again
    assert "只能由群众本人评价" in again
    stranger = _page_of_code(app.test_client(), order)
    assert "/r/" not in stranger and "打开回执" not in stranger


def test_a_volunteer_with_the_receipt_link_cannot_rate_cancel_or_reopen(app, db, place, teams,
                                                                        phone_login):
    order = _served(db, place, teams)
    ops.complete(order, via="code_phone", volunteer=teams["member"])
    db.session.commit()
    receipt = f"/r/{ops.receipt_token(order)}"
    volunteer = app.test_client()
    token = phone_login(volunteer, teams["member"])
    page = volunteer.get(receipt).get_data(as_text=True)
    assert 'id="rate-form"' not in page and "/reopen" not in page  # the page offers nothing
    rated = volunteer.post(receipt + "/rate", data={"csrf_token": token, "stars": "5"})
    assert rated.status_code == 403
    assert "只有群众本人" in rated.get_data(as_text=True)
    assert _ratings(db) == 0
    reopened = volunteer.post(receipt + "/reopen", data={"csrf_token": token, "reason": "再来"})
    assert reopened.status_code == 403
    db.session.rollback()
    assert ops.get_order(order.number).status == "completed"

    # The team's leader is on the serving side too.
    leader = app.test_client()
    token = phone_login(leader, teams["leader"])
    assert leader.post(receipt + "/rate", data={"csrf_token": token,
                                                "stars": "5"}).status_code == 403
    # The resident (no volunteer session) rates as before.
    resident = app.test_client()
    token = csrf_token_in(resident.get(receipt).get_data(as_text=True))
    assert resident.post(receipt + "/rate", data={"csrf_token": token,
                                                  "stars": "4"}).status_code == 302
    assert _ratings(db) == 1


def test_the_rule_is_in_the_operation(db, place, teams):
    order = place()
    with pytest.raises(Forbidden) as refused:
        ops.cancel(order, "不需要了", by=teams["leader"])
    assert refused.value.code == "own_service"
    db.session.rollback()
    order = _served(db, place, teams)
    ops.complete(order, via="code_phone", volunteer=teams["member"])
    db.session.commit()
    for volunteer in (teams["member"], teams["leader"]):
        with pytest.raises(Forbidden) as refused:
            ops.rate(order, stars=5, by=volunteer)
        assert refused.value.code == "own_service"
        db.session.rollback()
    # Someone outside the serving team (a neighbour helping the resident) is no server.
    assert ops.rate(order, stars=3, by=teams["outsider"]).stars == 3


def _action(key, kind, body):
    return {"key": key, "kind": kind, "client_time": datetime.now(UTC).isoformat(), "body": body}


def test_at_the_kiosk_a_volunteer_card_cannot_rate_and_no_receipt_link_leaks(db, enroll_kiosk,
                                                                             place, teams):
    kiosk = enroll_kiosk()
    order = _served(db, place, teams)
    code_text = code_url(ops.order_code(order))
    done = kiosk.upload([_action("c1", "complete", {"code": code_text})]).get_json()
    result = done["answers"][0]["result"]
    assert result["status"] == "completed"
    assert "receipt_url" not in result and "/r/" not in str(result)  # the screen gets no receipt
    card = code_url(live_code("volunteer", teams["member"].number))
    refused = kiosk.upload([_action("r1", "rate", {"code": card, "stars": 5})]).get_json()
    answer = refused["answers"][0]
    assert answer["status"] == 400 and answer["error"]["code"] == "code_wrong_type"
    assert _ratings(db) == 0
    rated = kiosk.upload([_action("r2", "rate", {"code": code_text, "stars": 4})]).get_json()
    assert rated["answers"][0]["result"]["status"] == "rated"
    assert "receipt_url" not in rated["answers"][0]["result"]


def test_a_kiosk_order_still_carries_its_receipt(db, enroll_kiosk, menu):
    kiosk = enroll_kiosk()
    placed = kiosk.upload([_action("o1", "order", {"item_id": menu["care"].id,
                                                   "phone": "13812345678"})]).get_json()
    assert re.search(r"/r/[^/]+$", placed["answers"][0]["result"]["receipt_url"])
