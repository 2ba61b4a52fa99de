"""Orders at the kiosk (order, complete, rate actions) and on the dashboard's dispatch board."""

from __future__ import annotations

from datetime import UTC, datetime

from server.orders import operations as ops
from server.orders.models import Order
from tests.conftest import csrf_token_in
from tests.forgery import tampered


def _action(key, kind, body):
    return {"key": key, "kind": kind, "client_time": datetime.now(UTC).isoformat(), "body": body}


def test_order_complete_and_rate_at_the_kiosk(db, enroll_kiosk, menu, teams, network):
    kiosk = enroll_kiosk()
    answer = kiosk.upload([_action("o1", "order", {"item_id": menu["care"].id,
                                                   "phone": "13812345678", "place": "图书室"})])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    result = answer.get_json()["answers"][0]
    assert result["status"] == 200, result
    number, code_text = result["result"]["number"], result["result"]["code_url"]
    db.session.rollback()
    order = ops.get_order(number)
    assert (order.channel, order.site_id, order.status) == ("kiosk", network["library"].id,
                                                           "dispatched")
    early = kiosk.upload([_action("r0", "rate", {"code": code_text, "stars": 5})])
    assert early.get_json()["answers"][0]["error"]["code"] == "not_completed"
    db.session.rollback()
    ops.accept(ops.get_order(number), teams["member"])
    db.session.commit()
    done = kiosk.upload([_action("c1", "complete", {"code": code_text})]).get_json()
    assert done["answers"][0]["result"]["status"] == "completed"
    rated = kiosk.upload([_action("r1", "rate", {"code": code_text, "stars": 1, "tags": ["迟到"],
                                                 "comment": "等太久"})]).get_json()
    assert rated["answers"][0]["result"]["flagged"] is True
    again = kiosk.upload([_action("r2", "rate", {"code": code_text, "stars": 5})]).get_json()
    assert again["answers"][0]["status"] == 409
    assert again["answers"][0]["error"]["code"] == "already_rated"
    forged = kiosk.upload([_action("r3", "rate", {"code": tampered(code_text, 3),
                                                  "stars": 5})]).get_json()
    assert forged["answers"][0]["status"] == 400
    db.session.rollback()
    order = ops.get_order(number)
    assert order.status == "rated" and order.rating.stars == 1 and order.is_flagged


def test_invalid_phone_at_the_kiosk_is_refused(db, enroll_kiosk, menu):
    kiosk = enroll_kiosk()
    answer = kiosk.upload([_action("o1", "order", {"item_id": menu["care"].id,
                                                   "phone": "1381234"})]).get_json()
    assert answer["answers"][0]["error"]["code"] == "invalid_phone"
    db.session.rollback()
    assert db.session.query(Order).count() == 0


def test_board_is_scoped_and_dispatches_by_hand(client, db, create_admin, login, network, place,
                                                teams):
    east_order = place()
    west_order = place(item="film", site="west_station")
    assert west_order.status == "placed"
    west = create_admin("institute_admin", network["west"], "west")
    token = login(west)
    board = client.get("/admin/orders/").get_data(as_text=True)
    assert west_order.number in board and east_order.number not in board
    assert "派单台" in board
    assert client.get(f"/admin/orders/{east_order.number}").status_code == 404
    listed = client.get("/api/v1/orders").get_json()["orders"]
    assert [o["number"] for o in listed] == [west_order.number]
    assert listed[0]["phone"].count("*") == 4
    page = client.get(f"/admin/orders/{west_order.number}").get_data(as_text=True)
    response = client.post(f"/admin/orders/{west_order.number}/dispatch",
                           data={"csrf_token": csrf_token_in(page),
                                 "volunteer_number": teams["outsider"].number})
    assert response.status_code == 302
    db.session.rollback()
    order = db.session.get(Order, west_order.id)
    assert (order.status, order.volunteer_id) == ("dispatched", teams["outsider"].id)
    assert order.history[-1].actor == "west"
    again = client.post(f"/api/v1/orders/{west_order.number}/dispatch", json={"pool": False},
                        headers={"X-CSRFToken": token})
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "assignee_required"
