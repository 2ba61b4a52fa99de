"""The whole loop over HTTP, by phone: 点单 → 派单 → 接单 → 服务 → 评单, and each refusal."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from server.codes.operations import code_url
from server.orders import operations as ops
from server.orders.models import Order, OrderStatusChange, Rating
from tests.conftest import csrf_token_in
from tests.fixtures.orders import receipt_path


def _order(db, number=None) -> Order:
    db.session.rollback()
    query = select(Order).order_by(Order.id.desc())
    if number:
        query = select(Order).where(Order.number == number)
    return db.session.scalar(query)


def _place_by_phone(client, site, item, phone="13812345678", **fields):
    url = f"/orders/new/{site.id}"
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "item_id": item.id, "phone": phone,
                                  "place": "3组12号", "note": "老人腿脚不便",
                                  "preferred_at": "", **fields})


def test_the_whole_loop_by_phone(client, app, db, network, menu, teams, coded, phone_login):
    # 点单: the poster's landing page links to the site's order form.
    landing = client.get(urlsplit(code_url(coded["library"])).path).get_data(as_text=True)
    assert f"/orders/new/{network['library'].id}" in landing
    form = client.get(f"/orders/new/{network['library'].id}").get_data(as_text=True)
    assert "助老陪护" in form and "电影放映" in form and "法律咨询" not in form  # west's item
    response = _place_by_phone(client, network["library"], menu["care"])
    assert response.status_code == 302
    receipt = receipt_path(response.headers["Location"])
    page = client.get(receipt).get_data(as_text=True)
    order = _order(db)
    assert order.number in page and "<svg" in page and "已派单" in page
    # 派单 by rule: the menu item's team, the station's institute as the responsible unit.
    assert (order.status, order.team_id, order.unit_site_id) == (
        "dispatched", teams["branch"].id, network["east_station"].id)
    assert ops.order_code(order) is not None

    # 接单 on the volunteer's phone.
    volunteer = app.test_client()
    token = phone_login(volunteer, teams["member"])
    tasks = volunteer.get("/v/orders").get_data(as_text=True)
    assert order.number in tasks and "3组12号" in tasks
    assert volunteer.post(f"/v/orders/{order.number}/accept",
                          data={"csrf_token": token}).status_code == 302
    assert _order(db).status == "accepted"
    assert "王*志" not in client.get(receipt).get_data(as_text=True)  # masked name shown
    assert "李*" in client.get(receipt).get_data(as_text=True)

    # 服务: start, then confirm by scanning the resident's order code with the phone.
    assert volunteer.post(f"/v/orders/{order.number}/start",
                          data={"csrf_token": token}).status_code == 302
    scanned = volunteer.get(urlsplit(code_url(ops.order_code(_order(db)))).path)
    assert scanned.status_code == 302 and "/orders/code/" in scanned.headers["Location"]
    confirm_page = volunteer.get(scanned.headers["Location"]).get_data(as_text=True)
    assert "确认服务已完成" in confirm_page
    done = volunteer.post(scanned.headers["Location"] + "/complete",
                          data={"csrf_token": csrf_token_in(confirm_page)})
    assert done.status_code == 302
    order = _order(db)
    assert order.status == "completed" and order.service_minutes == 60
    from server.ledger.operations import find

    assert find("order", order.id).minutes == 60

    # 评单 on the receipt page.
    page = client.get(receipt).get_data(as_text=True)
    rated = client.post(receipt + "/rate", data={"csrf_token": csrf_token_in(page), "stars": "5",
                                                 "tags": "准时,热情", "comment": "很耐心"})
    assert rated.status_code == 302
    order = _order(db)
    assert order.status == "rated" and order.rating.stars == 5
    assert order.rating.tags == ["准时", "热情"] and not order.is_flagged
    assert ops.evaluations_for(teams["member"])[0]["stars"] == 5
    assert [c.to_status for c in order.history] == [
        "placed", "dispatched", "accepted", "in_service", "completed", "rated"]


def test_rating_twice_before_completion_and_a_forged_receipt(client, db, place):
    order = place()
    receipt = f"/r/{ops.receipt_token(order)}"
    token = csrf_token_in(client.get(receipt).get_data(as_text=True))
    early = client.post(receipt + "/rate", data={"csrf_token": token, "stars": "4"})
    assert early.status_code == 409 and "完成后" in early.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 0

    forged = receipt[:-2] + ("AA" if not receipt.endswith("AA") else "BB")
    assert client.get(forged).status_code == 404
    assert client.post(forged + "/rate", data={"csrf_token": token,
                                               "stars": "1"}).status_code == 404


def _complete(db, order, volunteer):
    order = db.session.merge(order)
    ops.accept(order, db.session.merge(volunteer))
    ops.complete(order, via="resident", actor="resident")
    db.session.commit()
    return order


def test_rating_twice_and_someone_elses_order(client, db, place, teams):
    mine, theirs = place(), place()
    _complete(db, mine, teams["member"])
    _complete(db, theirs, teams["member"])
    receipt = f"/r/{ops.receipt_token(mine)}"
    token = csrf_token_in(client.get(receipt).get_data(as_text=True))
    assert client.post(receipt + "/rate", data={"csrf_token": token, "stars": "2",
                                                "comment": "来晚了"}).status_code == 302
    twice = client.post(receipt + "/rate", data={"csrf_token": token, "stars": "5"})
    assert twice.status_code == 409 and "已经评价" in twice.get_data(as_text=True)
    # Another order's number in my receipt link does not pass the signature.
    swapped = receipt.replace(ops.receipt_token(mine).split(".")[0],
                              ops.receipt_token(theirs).split(".")[0])
    assert client.post(swapped + "/rate", data={"csrf_token": token,
                                                "stars": "1"}).status_code == 404
    db.session.rollback()
    assert db.session.get(Order, theirs.id).rating is None
    mine = db.session.get(Order, mine.id)
    assert mine.rating.stars == 2 and mine.is_flagged  # a low rating asks for follow-up


def test_invalid_phone_and_over_long_text_write_nothing(client, db, network, menu):
    bad = _place_by_phone(client, network["library"], menu["care"], phone="12345678901")
    assert bad.status_code == 400 and "11 位" in bad.get_data(as_text=True)
    long_note = _place_by_phone(client, network["library"], menu["care"], note="长" * 301)
    assert long_note.status_code == 400 and "备注太长" in long_note.get_data(as_text=True)
    no_item = _place_by_phone(client, network["library"], menu["care"], item_id="")
    assert no_item.status_code == 404
    elsewhere = _place_by_phone(client, network["library"], menu["west"])
    assert elsewhere.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.scalar(select(func.count()).select_from(OrderStatusChange)) == 0


def test_accepting_a_cancelled_order_is_refused(client, app, db, place, teams, phone_login):
    order = place()
    ops.cancel(db.session.merge(order), "不需要了")
    db.session.commit()
    phone_login(client, teams["member"])
    token = csrf_token_in(client.get("/v/orders").get_data(as_text=True))
    response = client.post(f"/api/v1/orders/{order.number}/accept",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "order_cancelled"
    assert _order(db, order.number).volunteer_id is None


def test_second_accept_gets_409_already_accepted(app, db, place, teams, phone_login):
    order = place()
    first, second = app.test_client(), app.test_client()
    leader_token = phone_login(first, teams["leader"])
    member_token = phone_login(second, teams["member"])
    ok = first.post(f"/api/v1/orders/{order.number}/accept", headers={"X-CSRFToken": leader_token})
    assert ok.status_code == 200 and ok.get_json()["status"] == "accepted"
    late = second.post(f"/api/v1/orders/{order.number}/accept",
                       headers={"X-CSRFToken": member_token})
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "already_accepted"
    assert _order(db, order.number).volunteer_id == teams["leader"].id


def test_outsider_cannot_accept_and_rejecting_needs_a_reason(app, db, place, teams, phone_login):
    order = place()
    outsider, member = app.test_client(), app.test_client()
    token = phone_login(outsider, teams["outsider"])
    refused = outsider.post(f"/api/v1/orders/{order.number}/accept",
                            headers={"X-CSRFToken": token})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_your_order"
    token = phone_login(member, teams["member"])
    no_reason = member.post(f"/api/v1/orders/{order.number}/reject", json={"reason": " "},
                            headers={"X-CSRFToken": token})
    assert no_reason.status_code == 400 and no_reason.get_json()["error"]["field"] == "reason"
    assert _order(db, order.number).status == "dispatched"
    back = member.post(f"/api/v1/orders/{order.number}/reject", json={"reason": "今天在外地"},
                       headers={"X-CSRFToken": token})
    assert back.status_code == 200 and back.get_json()["status"] == "placed"
    order = _order(db, order.number)
    assert order.team_id is None and order.history[-1].reason == "今天在外地"


def test_an_accept_without_a_csrf_token_is_400_and_without_a_login_401(client, db, place):
    order = place()
    status = order.status
    # The CSRF check comes first: a bare POST never reaches the login check.
    bare = client.post(f"/api/v1/orders/{order.number}/accept")
    assert bare.status_code == 400 and bare.get_json()["error"]["code"] == "csrf_failed"
    # With the session's CSRF token but nobody logged in: the login check refuses it.
    token = csrf_token_in(client.get(f"/orders/new/{order.site_id}").get_data(as_text=True))
    anonymous = client.post(f"/api/v1/orders/{order.number}/accept",
                            headers={"X-CSRFToken": token})
    assert anonymous.status_code == 401
    assert _order(db, order.number).status == status  # neither attempt accepted it


def test_resident_confirms_completion_and_can_reopen(client, db, place, teams):
    order = place()
    ops.accept(db.session.merge(order), db.session.merge(teams["member"]))
    db.session.commit()
    receipt = f"/r/{ops.receipt_token(order)}"
    page = client.get(receipt).get_data(as_text=True)
    assert "服务已完成" in page
    assert client.post(receipt + "/confirm",
                       data={"csrf_token": csrf_token_in(page)}).status_code == 302
    assert _order(db, order.number).status == "completed"
    page = client.get(receipt).get_data(as_text=True)
    reopened = client.post(receipt + "/reopen", data={"csrf_token": csrf_token_in(page),
                                                      "reason": "灯还是不亮"})
    assert reopened.status_code == 302
    order = _order(db, order.number)
    assert order.status == "dispatched" and order.is_flagged
    assert [c.to_status for c in order.history][-2:] == ["reopened", "dispatched"]


def test_order_number_is_human_and_phone_is_masked(db, place):
    order = place(phone="13812345678")
    assert re.fullmatch(r"\d{11}", order.number)
    assert order.masked_phone == "138****5678"
