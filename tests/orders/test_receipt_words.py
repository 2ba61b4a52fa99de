"""The receipt says what is still possible: no rating promise once rated, no progress promise
once cancelled, and words for a low rating as well as for praise."""

from __future__ import annotations

from server.orders import operations as ops
from tests.conftest import csrf_token_in
from tests.pages import visible


def _receipt(client, order) -> tuple[str, str]:
    url = f"/r/{ops.receipt_token(order)}"
    return url, client.get(url).get_data(as_text=True)


def test_a_one_star_rater_has_words_and_the_rated_receipt_stops_asking(client, db, place,
                                                                        teams):
    order = place()
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident", actor="resident")
    db.session.commit()
    url, page = _receipt(client, order)
    assert "哪里做得好？" in page and "哪里需要改进？" in page
    for tag in ("来晚了", "问题没解决", "没有人来"):
        assert f'data-tag="{tag}"' in page
    assert "也可以把这个码出示给服务终端评价" in visible(page)
    rated = client.post(url + "/rate", data={"csrf_token": csrf_token_in(page), "stars": "1",
                                             "tags": "来晚了,问题没解决"})
    assert rated.status_code == 302
    db.session.rollback()
    order = ops.get_order(order.number)
    assert order.rating.tags == ["来晚了", "问题没解决"] and order.is_flagged
    text = visible(_receipt(client, order)[1])
    assert "评价" not in text.replace("感谢您的评价", "").replace("您的评价", "").replace(
        "已评价", "")  # nothing more to rate: no code, no invitation
    assert "订单码" not in text and "可以在服务完成后 7 天内重新打开订单" in text


def test_a_cancelled_receipt_promises_nothing(client, db, place):
    order = place()
    ops.cancel(order, "不需要了")
    db.session.commit()
    text = visible(_receipt(client, order)[1])
    assert "这张订单已取消" in text and "重新下单" in text
    assert "查看进度" not in text and "跟进" not in text and "订单码" not in text
    assert "请保存此页" not in text
