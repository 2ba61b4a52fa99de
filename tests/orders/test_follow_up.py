"""回访: a low rating lands on the worklist of the admins of the order's site (each role),
the phone is shown in full there and the viewing is audited; 回访完成 takes it off; an admin may
reopen the order."""

from __future__ import annotations

from sqlalchemy import select

from server.core.audit import AuditEvent
from server.orders import operations as ops
from server.orders.models import Order
from tests.conftest import csrf_token_in


def test_low_rating_follow_up_for_each_role(client, db, network, create_admin, login, place,
                                            teams):
    order = place(phone="13812345678")
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    ops.rate(order, stars=1, comment="没人来")
    db.session.commit()
    number = order.number
    admins = {"district": create_admin("district_admin", network["center"]),
              "institute": create_admin("institute_admin", network["east"]),
              "station": create_admin("station_admin", network["east_station"]),
              "other": create_admin("institute_admin", network["west"])}
    for who, admin in admins.items():
        token = login(admin)
        listed = client.get("/admin/orders/follow-ups").get_data(as_text=True)
        page = client.get(f"/admin/orders/{number}/follow-up")
        if who == "other":
            assert number not in listed and page.status_code == 404
        else:
            assert number in listed and "没人来" in listed, who
            assert "13812345678" in page.get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token})
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "order.phone_shown")) == 3

    login(admins["station"])
    page = client.get(f"/admin/orders/{number}/follow-up").get_data(as_text=True)
    token = csrf_token_in(page)
    client.post(f"/admin/orders/{number}/follow-up", data={"csrf_token": token, "note": ""})
    assert number in client.get("/admin/orders/follow-ups").get_data(as_text=True)  # a note
    client.post(f"/admin/orders/{number}/reopen", data={"csrf_token": token,
                                                        "reason": "灯仍不亮，重新上门"})
    client.post(f"/admin/orders/{number}/follow-up", data={"csrf_token": token,
                                                          "note": "已致电，约好明天上门"})
    assert number not in client.get("/admin/orders/follow-ups").get_data(as_text=True)
    db.session.rollback()
    reopened = db.session.scalar(select(Order).where(Order.number == number))
    assert reopened.status == "dispatched"
    assert [c.to_status for c in reopened.history][-2:] == ["reopened", "dispatched"]
