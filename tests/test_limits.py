"""Abuse limits against the real Redis: shared by processes, keyed by what is attacked, 429 in
the route's own shape, and each breach audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from tests.conftest import PASSWORD, REDIS_PREFIX, TEST_REDIS_URL, csrf_token_in
from tests.fixtures.orders import form_token

LIMITED = {"RATELIMIT_ENABLED": True}


def _breaches(db) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rate_limited")))


def _login(client, username, password, address="10.0.0.1"):
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.app_config(LIMITED)
def test_the_counters_live_in_redis_under_the_processes_own_prefix(app, client, create_admin,
                                                                     network):
    import redis

    from server.extensions import limiter

    assert type(limiter.storage).__name__ == "RedisStorage" and limiter.storage.check()
    create_admin("district_admin", network["center"], "boss")
    assert _login(client, "boss", "wrong-wrong-wrong").status_code == 401
    keys = redis.Redis.from_url(TEST_REDIS_URL).keys(f"{REDIS_PREFIX}:*")
    assert keys, "no counter was written to Redis"


@pytest.mark.app_config({**LIMITED, "RATELIMIT_LOGIN": "3 per minute"})
def test_only_refused_passwords_count_and_a_breach_is_a_page_and_an_audit_entry(
        client, db, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    for _ in range(4):  # good logins do not use the allowance up
        assert _login(client, "boss", PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": client.get("/api/v1/me").get_json()
                                     ["csrf_token"]})
    statuses = [_login(client, "boss", "wrong-wrong-wrong").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = _login(client, "boss", PASSWORD)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert "尝试次数过多" in refused.get_data(as_text=True)
    assert refused.headers.get("Retry-After")
    breaches = _breaches(db)
    assert len(breaches) == 2 and breaches[0].details["endpoint"] == "users.login"
    assert breaches[0].ip == "10.0.0.1"


@pytest.mark.app_config({**LIMITED, "RATELIMIT_LOGIN_ACCOUNT": "2 per hour"})
def test_a_login_name_is_protected_from_every_address(client, create_admin, network):
    create_admin("district_admin", network["center"], "boss")
    statuses = [_login(client, "boss", "wrong-wrong-wrong", f"10.0.1.{n}").status_code
                for n in range(3)]
    assert statuses == [401, 401, 429]
    assert _login(client, "other", "wrong-wrong-wrong", "10.0.1.9").status_code == 401


def _other_process_fails_logins(database_url: str, times: int) -> list[int]:
    """Another process, as another gunicorn worker would be: its own app, the same Redis."""
    script = f"""
import json
from server import create_app
from tests.conftest import _test_config, csrf_token_in
config = _test_config({database_url!r})
config.update({{"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}})
client = create_app(config).test_client()
statuses = []
for _ in range({times}):
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    statuses.append(client.post("/login", data={{"username": "boss", "password": "wrong-pw",
                                                "csrf_token": token}}).status_code)
print(json.dumps(statuses))
"""
    env = {**os.environ, "PYTEST_XDIST_WORKER": os.environ.get("PYTEST_XDIST_WORKER", "main")}
    # The child must count under this process's prefix: it is passed through the environment.
    env["TEST_REDIS_PREFIX"] = REDIS_PREFIX
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=os.path.dirname(os.path.dirname(__file__)), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.app_config({**LIMITED, "RATELIMIT_LOGIN": "3 per minute"})
def test_workers_share_one_count(client, create_admin, network, database_url):
    create_admin("district_admin", network["center"], "boss")
    assert _other_process_fails_logins(database_url, 2) == [401, 401]
    statuses = [_login(client, "boss", "wrong-pw", "127.0.0.1").status_code for _ in range(2)]
    assert statuses == [401, 429]


@pytest.mark.app_config({**LIMITED, "RATELIMIT_CODES": "2 per minute"})
def test_code_verifications_answer_json_429_on_the_api(client, db):
    answers = [client.post("/api/v1/codes/resolve", json={"text": "nonsense"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[-1].get_json()["error"]["code"] == "rate_limited"
    assert _breaches(db)[0].details["endpoint"] == "codes_api.resolve"


@pytest.mark.app_config({**LIMITED, "ORDERS_PHONE_RATELIMIT": "2 per 10 minutes"})
def test_order_posts_per_phone_from_any_address(client, db, network, menu):
    url = f"/orders/new/{network['library'].id}"
    statuses = []
    for n, phone in enumerate(["13812345678", "138 1234 5678", "+8613812345678"]):
        token = form_token(client, url)
        statuses.append(client.post(url, data={
            "item_id": menu["care"].id, "phone": phone, "place": "3栋", "csrf_token": token,
        }, environ_base={"REMOTE_ADDR": f"10.0.2.{n}"}).status_code)
    assert statuses == [302, 302, 429]
    token = form_token(client, url)
    other = client.post(url, data={"item_id": menu["care"].id, "phone": "13912345678",
                                   "place": "3栋", "csrf_token": token},
                        environ_base={"REMOTE_ADDR": "10.0.2.9"})
    assert other.status_code == 302
    assert _breaches(db)[0].details["endpoint"] == "orders_mobile.new"


@pytest.mark.app_config({**LIMITED, "ORDERS_PHONE_RATELIMIT": "1 per 10 minutes"})
def test_rating_posts_count_against_the_orders_phone(client, db, place):
    from server.orders import operations as ops

    first, second = place(phone="13812340000"), place(phone="13812340000")
    statuses = []
    for order in (first, second):
        token = ops.receipt_token(order)
        form = form_token(client, f"/r/{token}")
        statuses.append(client.post(f"/r/{token}/rate", data={
            "stars": "5", "csrf_token": form}).status_code)
    # The first is refused by the order's state (not completed), yet it counted.
    assert statuses[1] == 429 and statuses[0] != 429


@pytest.mark.app_config({**LIMITED, "OPEN311_API_KEYS": "key-a,key-b",
                         "OPEN311_KEY_RATELIMIT": "1 per minute"})
def test_open311_posts_per_key_from_any_address(client, db, network, menu):
    fields = {"service_code": str(menu["care"].id), "address_id": str(network["library"].id)}

    def post(key, address):
        return client.post("/open311/v2/requests.json", data={**fields, "api_key": key},
                           environ_base={"REMOTE_ADDR": address})

    assert post("key-a", "10.0.3.1").status_code == 200
    refused = post("key-a", "10.0.3.2")
    assert refused.status_code == 429 and refused.get_json()[0]["code"] == "rate_limited"
    assert post("key-b", "10.0.3.3").status_code == 200
    assert _breaches(db)[0].details["endpoint"] == "open311.create_request"


@pytest.mark.app_config({**LIMITED, "RATELIMIT_PRESENCE": "2 per minute"})
def test_presence_code_attempts_per_volunteer(client, db, network):
    from server.volunteers import operations as vops
    from tests.fixtures.devices import phone_login

    volunteer = vops.create_volunteer(name="王秀英", phone="13800000001",
                                      site=network["east_station"])
    db.session.commit()
    phone_login(client, volunteer)
    token = csrf_token_in(client.get("/P/1-1-abc").get_data(as_text=True))
    statuses = [client.post("/P/1-1-abc", data={"csrf_token": token},
                            environ_base={"REMOTE_ADDR": f"10.0.4.{n}"}).status_code
                for n in range(3)]
    assert statuses[2] == 429 and 429 not in statuses[:2]
    assert _breaches(db)[0].details["endpoint"] == "shifts_mobile.presence_sign"
