"""The order history says to whom an order went and in words (no stored codes); a reopened
order goes back to whom the admin chose; an escalation leaves a history row and a badge."""

from __future__ import annotations

from datetime import timedelta

from server.core.timeutil import utcnow
from server.orders import dispatch as rules
from server.orders import operations as ops
from server.orders.models import Order


def test_history_names_the_team_and_volunteer_in_words(client, db, network, create_admin, login,
                                                       place, teams):
    order = place()
    rules.dispatch(db.session.merge(order), team=db.session.merge(teams["branch"]),
                   volunteer=db.session.merge(teams["member"]), actor="east_admin")
    db.session.commit()
    login(create_admin("institute_admin", network["east"]))
    page = client.get(f"/admin/orders/{order.number}").get_data(as_text=True)
    history = page.split("history")[-1]
    assert "东镇助老志愿服务队" in history and "李志愿" in history
    assert "按服务清单规则" in history and "人工派单" in history
    for code in (">rule<", ">by hand<"):
        assert code not in history


def test_reopen_keeps_the_admins_routing(db, place, teams):
    order = place()
    rules.dispatch(order, team=teams["branch"], volunteer=teams["member"], actor="admin")
    ops.accept(order, teams["member"])
    ops.complete(order, via="resident")
    ops.reopen(order, "灯还是不亮")
    db.session.commit()
    order = db.session.get(Order, order.id)
    assert order.status == "dispatched"
    assert (order.team_id, order.volunteer_id) == (teams["branch"].id, teams["member"].id)
    assert order.history[-1].reason == "kept"


def test_escalation_writes_history_and_shows_a_badge(client, db, runner, network, create_admin,
                                                     login, place):
    order = place(item="film", site="west_station")
    rules.set_policy(network["west_station"], pool_enabled=False, accept_timeout_minutes=30)
    order.placed_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert runner.invoke(args=["orders", "escalate"]).exit_code == 0
    db.session.rollback()
    order = db.session.get(Order, order.id)
    row = order.history[-1]
    assert row.reason == "escalated" and row.unit_site_id == network["west"].id
    login(create_admin("institute_admin", network["west"]))
    board = client.get("/admin/orders/").get_data(as_text=True)
    assert "已上交至西镇新时代文明实践所" in board
    page = client.get(f"/admin/orders/{order.number}").get_data(as_text=True)
    assert "超时无人接单" in page


def test_board_lists_each_service_once_and_shows_cancelled_on_request(
        client, db, network, create_admin, login, place, menu):
    from server.orders.menu import create_item

    create_item(site=network["west"], name="电影放映", content_area="丰富活跃文化生活",
                brand="文润天府")
    db.session.commit()
    order = place(item="film", site="west_station")
    ops.cancel(db.session.merge(order), "不需要了")
    db.session.commit()
    login(create_admin("district_admin", network["center"]))
    board = client.get("/admin/orders/").get_data(as_text=True)
    assert board.count(">电影放映</option>") == 1
    assert order.number not in board
    cancelled = client.get("/admin/orders/?status=cancelled").get_data(as_text=True)
    assert order.number in cancelled
    by_name = client.get("/admin/orders/?service=电影放映").get_data(as_text=True)
    assert order.number in by_name  # cancelled orders of a filter have their column
    for select in ("board-service", "board-team", "board-status"):
        assert f'<label for="{select}">' in board
