"""A volunteer's notices on /v/orders: shown, kept until the volunteer says they read them."""

from __future__ import annotations

from sqlalchemy import select

from server.orders import dispatch
from server.orders import operations as ops
from server.orders.models import OrderNotice


def _unread(db, volunteer) -> list[OrderNotice]:
    db.session.rollback()
    return list(db.session.scalars(select(OrderNotice).where(
        OrderNotice.recipient_type == "volunteer", OrderNotice.recipient_id == str(volunteer.id),
        OrderNotice.read_at.is_(None))))


def test_notices_are_shown_and_stay_until_read(app, db, place, teams, phone_login):
    member = teams["member"]
    mine = place()
    dispatch.dispatch(mine, volunteer=member, actor="test")  # a notice to the member
    for_team = place()  # dispatched by rule to the branch team: a notice to the team
    db.session.commit()
    phone = app.test_client()
    token = phone_login(phone, member)
    for _ in range(2):  # loading the page twice reads nothing away
        page = phone.get("/v/orders").get_data(as_text=True)
        assert "2 条新消息" in page
        assert f"新订单派给您：助老陪护（订单 {mine.number}）。" in page
        assert f"新订单派给您的服务队：助老陪护（订单 {for_team.number}）。" in page
    assert len(_unread(db, member)) == 1

    # A notice that arrives after the page was shown is not read away with the others.
    shown = [n.id for n in _unread(db, member)]
    ops.cancel(mine, "居民已自行解决")
    db.session.commit()
    assert phone.post("/v/orders/notices/read",
                      data={"csrf_token": token, "notice": shown}).status_code == 302
    left = _unread(db, member)
    assert [n.event for n in left] == ["cancelled"]
    page = phone.get("/v/orders").get_data(as_text=True)
    assert f"订单 {mine.number} 已取消。" in page and "新订单派给您：" not in page

    # Someone else cannot read my notices away; the team's notice goes once the order is taken.
    other = app.test_client()
    other_token = phone_login(other, teams["leader"])
    other.post("/v/orders/notices/read", data={"csrf_token": other_token,
                                               "notice": [n.id for n in left] + ["x", "9" * 40]})
    assert len(_unread(db, member)) == 1
    ops.accept(ops.get_order(for_team.number), teams["leader"])
    db.session.commit()
    page = phone.get("/v/orders").get_data(as_text=True)
    assert "1 条新消息" in page and "派给您的服务队" not in page
