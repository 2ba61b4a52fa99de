"""The order page's actions (dispatch, cancel, reopen) go through core.web.page_action: a refusal
is flashed in words and undone, a success flashed; a post without its token is refused before
the view, in words."""

from __future__ import annotations

from sqlalchemy import select

from server.orders.models import Order
from tests.conftest import csrf_token_in


def _flashes(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_a_refusal_and_a_success_each_say_so(client, db, network, create_admin,
                                                            login, place):
    order = place(phone="13812345678")
    db.session.commit()
    number = order.number
    login(create_admin("district_admin", network["center"]))
    page = client.get(f"/admin/orders/{number}").get_data(as_text=True)
    token = csrf_token_in(page)

    answer = client.post(f"/admin/orders/{number}/cancel", data={"reason": "重复下单"})
    assert answer.status_code == 400 and "表单已过期" in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Order.status).where(Order.number == number)) != "cancelled"

    answer = client.post(f"/admin/orders/{number}/reopen", data={"csrf_token": token,
                                                                 "reason": "再看看"})
    assert answer.status_code == 302  # not completed: refused, in words, nothing written
    shown = _flashes(client, answer.headers["Location"])
    assert "只有已完成的订单才能重新打开" in shown

    answer = client.post(f"/admin/orders/{number}/cancel", data={"csrf_token": token,
                                                                 "reason": "重复下单"})
    assert answer.status_code == 302
    assert "已取消" in _flashes(client, answer.headers["Location"])
    db.session.rollback()
    assert db.session.scalar(select(Order.status).where(Order.number == number)) == "cancelled"
