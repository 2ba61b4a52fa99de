"""Orders benchmark: 50 clients placing orders (kiosk `order` actions) and then accepting them
(volunteer phone API) under gunicorn, beside the sign-in benchmark's bare-INSERT endpoint.

Run from the repo root: ``.venv/bin/python tests/bench/bench_orders.py [--seconds 8]
[--pg URL]``. Reuses tests/bench/bench_signin*.py (the app wrapper, the driver and the set-up).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_signin import _drive, _free_port, _start, _stats  # noqa: E402
from tests.bench.bench_signin_setup import _app, pg_schema_url, prepare  # noqa: E402


def _menu(url: str, kiosks: list[dict]) -> tuple[int, list[str]]:
    """A team with every bench volunteer, a menu item it serves; login links for the phones."""
    from server.core.db import writing
    from server.extensions import db
    from server.orders.menu import create_item
    from server.sites.models import Site
    from server.volunteers import teams
    from server.volunteers.logins import issue_login_link
    from server.volunteers.operations import get_by_number

    app = _app(url)
    with app.app_context(), writing():
        institute = db.session.scalar(db.select(Site).where(Site.kind == "institute"))
        center = db.session.scalar(db.select(Site).where(Site.kind == "center"))
        teams.create_team("压测总队", center, is_general=True)
        team = teams.create_team("压测服务队", institute)
        item = create_item(site=institute, name="压测服务", content_area="培育践行主流价值",
                           brand="情暖万家", team=team)
        links = []
        for kiosk in kiosks:
            volunteer = get_by_number(kiosk["cards"][0]["number"])
            teams.add_member(team, volunteer)
            links.append(issue_login_link(volunteer)[1])
        db.session.commit()
        item_id = item.id
        db.engine.dispose()
    return item_id, links


def _phone_session(port: int, token: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/v/link/{token}")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    conn.request("POST", f"/v/link/{token}", body=f"csrf_token={csrf}",
                 headers={"Cookie": cookie,
                          "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookies = [cookie] + [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    conn.close()
    return {"Cookie": "; ".join(cookies), "X-CSRFToken": csrf}


def _numbers(url: str) -> list[str]:
    from server.extensions import db
    from server.orders.models import Order

    app = _app(url)
    with app.app_context():
        numbers = list(db.session.scalars(db.select(Order.number).order_by(Order.id)))
        db.engine.dispose()
    return numbers


def run_backend(name: str, url: str, seconds: float) -> dict:
    env = dict(os.environ, WENMING_DATABASE_URL=url, WENMING_SECRET_KEY="bench-secret",
               WENMING_BASE_URL="https://bench.example.org", PYTHONPATH=str(ROOT),
               WENMING_ORDERS_PHONE_DAILY_LIMIT="100000000")
    kiosks = prepare(url, 50, 1)
    item_id, links = _menu(url, kiosks)
    port = _free_port()
    proc = _start(env, port, workers=2, threads=4)  # as bench_signin and `make run`
    try:
        insert = lambda i, k, n: ("/bench/insert", b"{}",  # noqa: E731
                                  {"Content-Type": "application/json"}, None)
        _drive(port, kiosks, 2, insert)  # warm-up
        bare = _drive(port, kiosks, seconds, insert)

        def order(i, kiosk, n):
            action = {"key": f"o{i}-{n}", "kind": "order",
                      "client_time": datetime.now(UTC).isoformat(),
                      "body": {"item_id": item_id, "phone": f"13{i:02d}{n:07d}"[:11]}}
            return ("/api/v1/kiosk/actions", json.dumps({"actions": [action]}).encode(),
                    {"Content-Type": "application/json",
                     "Authorization": f"Bearer {kiosk['secret']}"}, None)

        placed = _drive(port, kiosks, seconds, order)
        numbers = _numbers(url)
        phones = [_phone_session(port, token) for token in links]
        # Client i accepts every 50th order from i on: no two clients want the same order.
        share = {i: numbers[i::len(phones)] for i in range(len(phones))}

        def accept(i, kiosk, n):
            mine = share[i]
            if n >= len(mine):
                return None  # this volunteer has accepted all of their share
            return (f"/api/v1/orders/{mine[n]}/accept", b"", phones[i], None)

        accepted = _drive(port, kiosks, seconds, accept)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"name": name, "bare": bare, "placed": placed, "accepted": accepted,
            "orders": len(numbers)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""))
    args = parser.parse_args(argv)
    import tempfile

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_backend("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args.seconds))
    if args.pg:
        results.append(run_backend("postgresql", pg_schema_url(args.pg, "bench_orders"),
                                   args.seconds))
    print(f"{'backend':<11} {'endpoint':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} errors")
    for r in results:
        for label, run in (("bare INSERT", r["bare"]), ("place order", r["placed"]),
                           ("accept order", r["accepted"])):
            rate, p50, p99 = _stats(run)
            print(f"{r['name']:<11} {label:<14} {rate:8.0f} {p50:8.1f} {p99:8.1f} "
                  f"{dict(run[1]) or 0}")
        print(f"{'':<11} orders in the database after the run: {r['orders']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
