"""The touchscreen questions without a browser: scan routing, local checks, the page's endpoints."""

from __future__ import annotations

import pytest

import qr
import qr.tokens
from kiosk.core import Kiosk
from kiosk.flows import FlowError
from kiosk.sync import SyncWorker
from kiosk.ui import create_ui
from tests.forgery import tampered

BASE = "https://zhaohua.example.org"
MENU = [{"id": 3, "name": "助老陪护", "content_area": "培育践行主流价值"}]
CATALOG = [{"id": 9, "name": "环保购物袋", "cost_points": 30, "stock": 2, "is_active": True}]


@pytest.fixture
def key():
    return qr.SigningKey.generate()


@pytest.fixture
def kiosk(tmp_path, key):
    k = Kiosk("http://127.0.0.1:9", tmp_path)  # nothing listens there: offline
    k.apply_enrollment({"device_id": 7, "secret": "s", "presence_secret": "c2VjcmV0",
                        "site": {"id": 1, "name": "区图书馆"}, "base_url": BASE,
                        "keys": [key.public_jwk()]})
    k.store.put(menu=MENU, catalog=CATALOG)
    yield k
    k.store.close()


def code(key, kind: str, subject: str) -> str:
    payload = qr.Payload(kind, subject, 1, 1_700_000_000, None, key.key_id)
    return qr.tokens.code_url(BASE, qr.sign(payload, key))


def test_an_order_code_opens_a_question_instead_of_a_sign_in(kiosk, key):
    kiosk.on_scan(code(key, "order", "26112900001"))
    prompt = kiosk.status()["prompt"]
    assert prompt["kind"] == "order_code" and prompt["number"] == "26112900001"
    assert prompt["status"] is None  # never seen here: the screen asks which it is
    assert "code" not in prompt  # the page never holds the code itself
    assert kiosk.store.count("pending") == 0 and kiosk.screen.result is None
    # Offline, the lookup answers from the cache (here: nothing known).
    assert kiosk.flows.lookup(prompt["id"])["source"] == "cache"


def test_a_volunteer_code_redeems_only_after_the_button(kiosk, key):
    card = code(key, "volunteer", "V0001")
    kiosk.flows.set_redeem_mode(True)
    kiosk.on_scan(card)
    prompt = kiosk.status()["prompt"]
    assert prompt["kind"] == "redeem" and prompt["number"] == "V0001"
    assert kiosk.store.count("pending") == 0  # no sign-in
    # Offline, the balance is the last one this kiosk saw: none yet, then a remembered one.
    assert kiosk.flows.balance(prompt["id"]) == {"balance": None, "source": "cache"}
    kiosk.store.set_balance("V0001", 40)
    assert kiosk.flows.balance(prompt["id"]) == {"balance": 40, "source": "cache"}
    kiosk.on_scan(card)  # the mode is used up: the next read signs in as before
    assert kiosk.store.pending()[0].kind == "sign" and kiosk.screen.result.title == "签到成功"


def test_a_forged_order_code_is_refused_like_any_forged_code(kiosk, key):
    forged = tampered(code(key, "order", "26112900001"))
    kiosk.on_scan(forged)
    assert kiosk.screen.prompt is None and kiosk.screen.result.ok is False
    assert kiosk.store.pending()[0].display == {"ok": False, "reason": "tampered"}


def test_an_order_is_checked_before_it_is_queued(kiosk):
    flows = kiosk.flows
    for data, reason in [({"item_id": 3, "phone": "1234"}, "invalid_phone"),
                         ({"item_id": 3, "phone": "12800001111"}, "invalid_phone"),
                         ({"item_id": 99, "phone": "13800001111"}, "item_gone"),
                         ({"item_id": 3, "phone": "13800001111", "note": "长" * 301},
                          "too_long"),
                         ({"item_id": 3, "phone": "13800001111", "place": 5}, "too_long")]:
        with pytest.raises(FlowError) as refused:
            flows.place_order(data)
        assert refused.value.code == reason
    assert kiosk.store.count("pending") == 0  # nothing half-written
    saved = flows.place_order({"item_id": 3, "phone": "138 0000 1111", "place": " 到我家里 "})
    action = kiosk.store.action(saved["key"])
    assert action.kind == "order" and action.body == {
        "item_id": 3, "phone": "13800001111", "place": "到我家里", "note": ""}
    assert saved["phone"] == "138****1111"


def test_rating_and_completion_are_checked_and_remembered(kiosk, key):
    kiosk.on_scan(code(key, "order", "26112900002"))
    prompt_id = kiosk.screen.prompt["id"]
    flows = kiosk.flows
    for stars in (0, 6, "5", True, None):
        with pytest.raises(FlowError, match="1 到 5"):
            flows.rate(prompt_id, {"stars": stars})
    with pytest.raises(FlowError) as refused:
        flows.rate(prompt_id, {"stars": 5, "tags": ["好"] * 6})
    assert refused.value.code == "invalid_tags"
    with pytest.raises(FlowError) as refused:
        flows.rate(999, {"stars": 5})
    assert refused.value.code == "flow_expired"
    with pytest.raises(FlowError):
        flows.redeem(prompt_id, {"item_id": 9})  # an order prompt cannot redeem
    assert kiosk.store.count("pending") == 0
    flows.complete(prompt_id)
    flows.rate(prompt_id, {"stars": 5, "tags": ["准时"], "comment": "好"})
    complete, rate = kiosk.store.pending()
    assert (complete.kind, rate.kind) == ("complete", "rate")  # uploaded in this order
    assert rate.body["stars"] == 5 and rate.body["code"] == complete.body["code"]
    assert kiosk.store.order_status("26112900002")["status"] == "rated"


def test_answers_update_the_order_and_balance_caches(kiosk, key):
    worker = SyncWorker(kiosk)
    saved = kiosk.flows.place_order({"item_id": 3, "phone": "13800001111"})
    worker.apply(kiosk.store.action(saved["key"]), {"key": saved["key"], "status": 200, "result": {
        "number": "26112900003", "status": "dispatched", "service": "助老陪护",
        "code_url": code(key, "order", "26112900003")}})
    assert kiosk.store.order_status("26112900003")["status"] == "dispatched"
    state = kiosk.flows.action_state(saved["key"])
    assert state["state"] == "done" and state["result"]["number"] == "26112900003"

    kiosk.flows.set_redeem_mode(True)
    kiosk.on_scan(code(key, "volunteer", "V0002"))
    redeem = kiosk.flows.redeem(kiosk.screen.prompt["id"], {"item_id": 9})
    worker.apply(kiosk.store.action(redeem["key"]), {"key": redeem["key"], "status": 200,
                                                     "result": {"balance": 70}})
    assert kiosk.store.balance("V0002") == 70
    refused = kiosk.flows.redeem(kiosk.screen.prompt["id"], {"item_id": 9})
    worker.apply(kiosk.store.action(refused["key"]), {"key": refused["key"], "status": 409,
                 "error": {"code": "insufficient_points", "message": ""}})
    assert kiosk.flows.action_state(refused["key"])["error"] == "积分不够"
    assert kiosk.store.count_needs_admin() == 0  # nothing was handed over before the answer


def test_the_page_endpoints(kiosk, key):
    client = create_ui(kiosk).test_client()
    assert client.get("/flow/menu.json").get_json() == {"items": MENU}
    # each cost also as the parts the voice says it with: 三十
    assert client.get("/flow/catalog.json").get_json() == {
        "items": [{**CATALOG[0], "say_cost": ["n3", "n10"]}]}
    # A form post (what another web page could send without asking) is not taken.
    assert client.post("/flow/order", data={"item_id": "3"}).status_code == 400
    bad = client.post("/flow/order", json={"item_id": 3, "phone": "110"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_phone"
    saved = client.post("/flow/order", json={"item_id": 3, "phone": "13800001111"}).get_json()
    state = client.get(f"/flow/action/{saved['key']}.json").get_json()
    assert state["state"] == "pending" and state["kind"] == "order"
    assert client.get(f"/flow/action/{saved['key']}.svg").status_code == 404  # no answer yet
    assert client.get("/flow/action/nope.json").status_code == 404
    state = client.get("/state.json").get_json()
    assert state["can_order"] and state["can_redeem"]
    page = client.get("/").get_data(as_text=True)
    assert "我要点单" in page and "积分兑换" in page and "built-in method" not in page
