"""The server's kiosk endpoints for the touchscreen: this site's menu, an order code's status."""

from __future__ import annotations

from sqlalchemy import select

from tests.forgery import tampered


def test_the_menu_is_this_kiosks_sites(client, db, network, menu, enroll_kiosk):
    kiosk = enroll_kiosk()
    answer = client.get("/api/v1/kiosk/menu", headers=kiosk.headers)
    assert answer.status_code == 200
    names = {i["name"] for i in answer.get_json()["items"]}
    assert names == {"助老陪护", "电影放映"}  # not the west institute's 法律咨询
    assert answer.get_json()["site_id"] == network["library"].id
    assert client.get("/api/v1/kiosk/menu").status_code == 401


def test_order_status_by_scanned_code(client, db, network, menu, place, teams, enroll_kiosk):
    from server.codes.operations import code_url
    from server.core.audit import AuditEvent
    from server.orders import operations as ops

    kiosk = enroll_kiosk()
    order = place()
    ops.accept(order, teams["member"])
    db.session.commit()
    url = code_url(ops.order_code(order))
    answer = client.get("/api/v1/kiosk/order-status", query_string={"code": url},
                        headers=kiosk.headers)
    found = answer.get_json()
    assert (found["number"], found["status"], found["service"]) == (
        order.number, "accepted", "助老陪护")
    assert "phone" not in found
    forged = client.get("/api/v1/kiosk/order-status", query_string={"code": tampered(url)},
                        headers=kiosk.headers)
    assert forged.status_code == 400 and forged.get_json()["error"]["code"].startswith("code_")
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "code.rejected"))
    assert client.get("/api/v1/kiosk/order-status", query_string={"code": url}).status_code == 401
