"""What residents and volunteers read on their phones, in Chinese: no machine strings, Chinese
punctuation in Chinese sentences, and one name for the kiosk (服务终端)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from qr.errors import REASONS
from server.codes import operations as codes
from server.codes.operations import code_url
from server.orders import operations as orders
from tests.forgery import tampered
from tests.pages import visible

CJK = "\u3400-\u9fff\uff01-\uff5e\u3000-\u303f"
ASCII_PUNCTUATION = re.compile(rf"[{CJK}]\s*[:?!;,]|[:?!;,]\s*[{CJK}]")
# Words a person should never read: the qr library's reasons and the domain errors' codes.
MACHINE = re.compile(r"\b(?:[a-z]+_[a-z_]+|tampered|revoked|garbage|foreign|expired)\b")
OTHER_KIOSK_NAMES = re.compile("信息亭|签到机|服务机")


def assert_chinese_words(page: str, where: str) -> None:
    text = visible(page)
    assert not ASCII_PUNCTUATION.search(text), (where, ASCII_PUNCTUATION.findall(text))
    assert not MACHINE.search(text), (where, MACHINE.findall(text))
    assert not OTHER_KIOSK_NAMES.search(text), (where, OTHER_KIOSK_NAMES.findall(text))
    assert "原因代码" not in text and "错误代码" not in text, where


def test_every_refusal_reason_has_a_chinese_label():
    # "used": the server's reason for a one-time code (an enrollment code) that has served.
    assert set(codes.REJECTION_LABELS) == set(REASONS) | {"unknown_code", "used"}


def _phone_pages(app, client, db, coded, network, place, teams,
                 phone_login) -> dict:
    """Every kind of phone page a resident or volunteer reaches, by name: the responses."""
    poster = urlsplit(code_url(coded["library"])).path
    pages = {"landing": client.get(poster), "manual": client.get("/s/?code=ZH-9999-9"),
             "tampered": client.get(tampered(poster)), "garbage": client.get("/S/not-a-code"),
             "no receipt": client.get("/r/forged"), "form": client.get(
                 f"/orders/new/{network['library'].id}")}
    db.session.rollback()  # a fresh snapshot: the requests above wrote audit entries
    codes.rotate_point_code(network["library"], "海报破损")
    db.session.commit()
    pages["revoked"] = client.get(poster)

    order = place()
    orders.accept(order, teams["member"])
    db.session.commit()
    receipt = f"/r/{orders.receipt_token(order)}"
    pages["receipt accepted"] = client.get(receipt)
    code_path = urlsplit(code_url(orders.order_code(order))).path
    pages["order code"] = client.get(client.get(code_path).headers["Location"])
    orders.complete(order, via="resident", actor="resident")
    db.session.commit()
    pages["receipt completed"] = client.get(receipt)

    volunteer = app.test_client()
    token = phone_login(volunteer, teams["member"])
    pages["tasks"] = volunteer.get("/v/orders")
    pages["order refused"] = volunteer.post(f"/v/orders/{order.number}/accept",
                                            data={"csrf_token": token})
    for path in ("/v/", "/v/shifts/", "/v/points", "/v/points/statement", "/v/password",
                 "/v/certificate/ZM-1-20261129-60-FORGED00"):
        pages[path] = volunteer.get(path)
    pages["welcome"] = app.test_client().get("/v/welcome")
    pages["login"] = app.test_client().get("/v/login")
    return pages


def test_resident_pages_read_as_chinese(app, client, db, coded, network, place,
                                        teams, phone_login):
    pages = _phone_pages(app, client, db, coded, network, place, teams, phone_login)
    for where, response in pages.items():
        assert response.status_code < 500, where
        assert_chinese_words(response.get_data(as_text=True), where)
    assert "签名校验未通过" in visible(pages["tampered"].get_data(as_text=True))
    assert "原因：已作废" in visible(pages["revoked"].get_data(as_text=True))
    assert "志愿者：李*" in visible(pages["receipt accepted"].get_data(as_text=True))


def test_every_phone_page_has_one_h1(app, client, db, coded, network, place,
                                     teams, phone_login):
    pages = _phone_pages(app, client, db, coded, network, place, teams, phone_login)
    for where, response in pages.items():
        assert response.get_data(as_text=True).count("<h1") == 1, where
