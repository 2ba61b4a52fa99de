"""The time bank over HTTP: kiosk redemption, phone pages, certificate, dashboard and API."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from server.ledger import operations as ops
from server.ledger.models import Item, Redemption, Transfer
from tests.conftest import csrf_token_in
from tests.forgery import tampered


@pytest.fixture
def kiosk(db, network, client):
    """A kiosk enrolled at the library: returns a function posting one action."""
    from server.codes.operations import code_url
    from server.devices import operations as devices

    _, code = devices.create_enrollment(network["library"])
    device, secret, _ = devices.enroll(code_url(code))
    db.session.commit()
    serial = iter(range(1, 10_000))

    def act(body, kind="redeem"):
        response = client.post("/api/v1/kiosk/actions", json={"actions": [
            {"key": f"k{next(serial)}", "kind": kind,
             "client_time": "2026-11-27T09:00:00+08:00", "body": body}]},
            headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["results" if "results" in response.get_json() else
                                   "answers"][0]

    act.headers = {"Authorization": f"Bearer {secret}"}
    return act


def _card(volunteer) -> str:
    from server.codes.operations import code_url, live_code

    return code_url(live_code("volunteer", volunteer.number))


def test_kiosk_redeems_with_the_volunteer_code(db, person, kiosk, make_item):
    item = make_item(cost=3, stock=4)
    answer = kiosk({"code": _card(person), "item_id": item.id, "quantity": 2})
    assert answer["status"] == 200, answer
    assert answer["result"]["balance"] == 4 and answer["result"]["points"] == 6
    assert answer["result"]["volunteer"] == "李*英"
    db.session.rollback()
    assert ops.balance(person) == 4 and db.session.get(Item, item.id).stock == 2


def test_kiosk_refusals_leave_the_books_untouched(db, person, kiosk, make_item, network):
    from server.volunteers import operations as volunteers

    item = make_item(cost=3, stock=4)
    elsewhere = make_item(cost=1, site=network["west_station"])
    old_card = _card(person)
    cases = [
        ({"code": _card(person), "item_id": item.id, "quantity": 4}, "insufficient_points"),
        ({"code": _card(person), "item_id": 99999}, "item_not_found"),
        ({"code": _card(person), "item_id": elsewhere.id}, "item_elsewhere"),
        ({"code": "not a code", "item_id": item.id}, "code_foreign"),
        ({"item_id": item.id}, "invalid_code"),
    ]
    for body, code in cases:
        answer = kiosk(body)
        assert answer["error"]["code"] == code, (body, answer)
    db.session.rollback()  # drop the test's old snapshot before writing
    volunteers.reissue_code(person, "card lost")
    db.session.commit()
    assert kiosk({"code": old_card, "item_id": item.id})["error"]["code"] == "code_revoked"
    db.session.rollback()
    assert ops.balance(person) == 10 and db.session.get(Item, item.id).stock == 4
    assert db.session.scalar(db.select(db.func.count()).select_from(Redemption)) == 0


def test_kiosk_shows_the_balance_behind_a_scanned_card(db, client, person, kiosk):
    from server.volunteers import operations as volunteers

    def look(code, headers=kiosk.headers):
        return client.get("/api/v1/kiosk/balance", query_string={"code": code}, headers=headers)

    card = _card(person)
    answer = look(card)
    assert answer.status_code == 200
    assert answer.get_json() == {"number": person.number, "name": "李*英", "balance": 10}
    assert "phone" not in answer.get_data(as_text=True)
    assert look(card, headers={}).status_code == 401
    forged = look(tampered(card))
    assert forged.status_code == 400 and forged.get_json()["error"]["code"].startswith("code_")
    db.session.rollback()
    volunteers.reissue_code(person, "card lost")
    db.session.commit()
    revoked = look(card)
    assert (revoked.status_code, revoked.get_json()["error"]["code"]) == (410, "code_revoked")
    assert look(_card(person)).get_json()["balance"] == 10


def test_phone_points_statement_and_certificate(app, db, client, person, phone_signed_in,
                                                make_shift,
                                                make_item):
    ops.credit_shift(make_shift(person, 150))
    from server.ledger import catalog

    catalog.redeem(person, make_item(cost=4, name="洗衣液"), 1, actor="test")
    db.session.commit()
    assert client.get("/v/points").status_code == 302  # no phone session: explained elsewhere
    phone_signed_in(person)
    page = client.get("/v/points").get_data(as_text=True)
    assert 'data-testid="balance">31<' in page and "2.5" in page
    page = client.get("/v/points/statement").get_data(as_text=True)
    assert "洗衣液 × 1" in page and "东村图书室" in page
    response = client.get("/v/points/certificate.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    number = response.headers["Content-Disposition"].split('"')[1].removesuffix(".pdf")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.data, check=True,
                              capture_output=True).stdout.decode()
        assert "李秀英" in text and person.number in text and number in text
        assert "2.5" in text and "测试区新时代文明实践中心" in text
    assert client.get(f"/v/certificate/{number}").status_code == 200
    forged = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert client.get(f"/v/certificate/{forged}").status_code == 404
    more = number.replace("-150-", "-1500-")
    assert client.get(f"/v/certificate/{more}").status_code == 404


def test_admin_reverses_from_the_ledger_page(db, client, login, create_admin, network, person,
                                             make_shift):
    credit = ops.credit_shift(make_shift(person, 60))
    db.session.commit()
    login(create_admin("station_admin", network["east_station"]))
    page = client.get("/admin/ledger/")
    assert page.status_code == 200 and f"shift:{credit.source_id}" in page.get_data(as_text=True)
    token = csrf_token_in(page.get_data(as_text=True))
    url = f"/admin/ledger/transfers/{credit.id}/reverse"
    client.post(url, data={"csrf_token": token, "reason": "   "})
    db.session.rollback()
    assert not ops.is_reversed(credit)  # no reason, no reversal
    asked = client.post(url, data={"csrf_token": token, "reason": "signed in by mistake"})
    assert asked.status_code == 200 and "signed in by mistake" in asked.get_data(as_text=True)
    db.session.rollback()
    assert not ops.is_reversed(credit)  # a confirmation first, also without JavaScript
    client.post(url, data={"csrf_token": token, "reason": "signed in by mistake",
                           "confirmed": "1"})
    db.session.rollback()
    assert ops.is_reversed(credit) and ops.balance(person) == 10


def test_admins_outside_the_subtree_see_and_touch_nothing(db, client, login, create_admin,
                                                          network, person, make_shift):
    credit = ops.credit_shift(make_shift(person, 60))
    db.session.commit()
    token = login(create_admin("station_admin", network["west_station"]))
    assert f"shift:{credit.source_id}" not in client.get("/admin/ledger/").get_data(as_text=True)
    assert client.get(f"/api/v1/ledger/volunteers/{person.number}/balance").status_code == 404
    response = client.post(f"/admin/ledger/transfers/{credit.id}/reverse",
                           data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 404
    db.session.rollback()
    assert not ops.is_reversed(credit)


def test_api_balance_and_statement(db, client, login, create_admin, network, person):
    login(create_admin("institute_admin", network["east"]))
    body = client.get(f"/api/v1/ledger/volunteers/{person.number}/balance").get_json()
    assert body == {"number": person.number, "balance": 10, "minutes": 0}
    body = client.get(f"/api/v1/ledger/volunteers/{person.number}/statement").get_json()
    assert [e["source_type"] for e in body["entries"]] == ["adjustment"]
    assert client.get("/api/v1/ledger/volunteers/NOPE/balance").status_code == 404


def test_only_the_district_changes_the_rule(db, client, login, create_admin, network):
    token = login(create_admin("station_admin", network["east_station"]))
    assert client.post("/admin/ledger/rule", data={"csrf_token": token,
                                                   "points_per_hour": "50"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    db.session.rollback()
    token = login(create_admin("district_admin", network["center"]))
    page = client.get("/admin/ledger/rule")
    token = csrf_token_in(page.get_data(as_text=True))
    client.post("/admin/ledger/rule", data={"csrf_token": token, "points_per_hour": "0"})
    db.session.rollback()
    assert ops.points_per_hour() == 10
    client.post("/admin/ledger/rule", data={"csrf_token": token, "points_per_hour": "12"})
    db.session.rollback()
    assert ops.points_per_hour() == 12


def test_catalog_management_and_listing(db, client, login, create_admin, network):
    login(create_admin("station_admin", network["east_station"]))
    site = network["library"].id
    page = client.get(f"/admin/ledger/catalog?site_id={site}")
    token = csrf_token_in(page.get_data(as_text=True))
    form = {"csrf_token": token, "name": "大米 5kg", "kind": "goods", "cost_points": "30",
            "stock": "12", "description": ""}
    client.post(f"/admin/ledger/catalog?site_id={site}", data=form)
    client.post(f"/admin/ledger/catalog?site_id={site}", data={**form, "cost_points": "-1"})
    client.post(f"/admin/ledger/catalog?site_id={site}", data=form)  # duplicate name
    db.session.rollback()
    items = db.session.scalars(db.select(Item)).all()
    assert [(i.name, i.cost_points, i.stock) for i in items] == [("大米 5kg", 30, 12)]
    body = client.get(f"/api/v1/ledger/catalog?site_id={site}").get_json()
    assert [i["name"] for i in body["items"]] == ["大米 5kg"]
    assert client.get(f"/api/v1/ledger/catalog?site_id={network['west'].id}").status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(Transfer)) == 0
