"""Sign-in benchmark: 50 simulated kiosks uploading sign actions to gunicorn, beside a bare INSERT.

Run from the repo root: ``.venv/bin/python tests/bench/bench_signin.py [--seconds 12]
[--kiosks 50] [--pg URL] [--workers 4 --threads 4]``. Prints actions/s, p50/p99 latency,
errors and a check that no shift was lost or duplicated, on SQLite and (with --pg or
TEST_DATABASE_URL) on PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_signin_setup import prepare, verify  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    # One server, the same settings, for both endpoints: the comparison stays fair.
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-k", "gthread",
           "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
           "tests.bench.bench_signin_app:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def _drive(port: int, kiosks: list[dict], seconds: float, make_request):
    """Each kiosk a thread with a keep-alive connection, sending one request after another."""
    latencies, errors, sent = [], Counter(), []
    lock = threading.Lock()
    stop = time.time() + seconds

    def run(index: int, kiosk: dict):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        mine, my_sent = [], []
        while time.time() < stop:
            path, body, headers, meta = make_request(index, kiosk, n)
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors[type(error).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[f"http {status}"] += 1
            elif meta is not None:
                answer = json.loads(data)["answers"][0]
                if answer["status"] != 200:
                    with lock:
                        errors[answer["error"]["code"]] += 1
                else:
                    my_sent.append((meta, answer["result"]["action"]))
            n += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            sent.extend(my_sent)

    threads = [threading.Thread(target=run, args=(i, k)) for i, k in enumerate(kiosks)]
    began = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, sent, time.time() - began


def _stats(latencies, elapsed):
    ordered = sorted(latencies) or [0.0]
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return len(latencies) / elapsed, pick(0.50), pick(0.99)


def run_backend(name: str, url: str, args) -> dict:
    env = dict(os.environ, WENMING_DATABASE_URL=url, WENMING_SECRET_KEY="bench-secret",
               WENMING_BASE_URL="https://bench.example.org", PYTHONPATH=str(ROOT))
    kiosks = prepare(url, args.kiosks, args.volunteers)
    port = _free_port()
    proc = _start(env, port, args.workers, args.threads)
    try:
        insert = lambda i, k, n: ("/bench/insert", b"{}",  # noqa: E731
                                  {"Content-Type": "application/json"}, None)
        _drive(port, kiosks, 3, insert)  # warm-up: every worker has loaded its modules
        bare = _drive(port, kiosks, args.seconds, insert)
        base = datetime.now(UTC) - timedelta(days=20)

        def sign(i, kiosk, n):
            # Round-robin over this kiosk's own volunteers; each read 3 minutes after the last
            # of the same volunteer, so every read is a real sign-in or sign-out.
            volunteer = kiosk["cards"][n % len(kiosk["cards"])]
            at = base + timedelta(minutes=3 * (n // len(kiosk["cards"])) + 1, seconds=i)
            action = {"key": f"b{i}-{n}", "kind": "sign", "client_time": at.isoformat(),
                      "body": {"code": volunteer["card"]}}
            # What kiosk.sync sends: the batch's send time, from which the server measures
            # the kiosk's clock offset on every upload.
            body = json.dumps({"actions": [action], "clock_offset_ms": 0,
                               "sent_at": datetime.now(UTC).isoformat()}).encode()
            return ("/api/v1/kiosk/actions", body,
                    {"Content-Type": "application/json",
                     "Authorization": f"Bearer {kiosk['secret']}"}, volunteer["number"])

        real = _drive(port, kiosks, args.seconds, sign)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    check = verify(url, real[2])
    return {"name": name, "bare": bare, "real": real, "check": check}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=12)
    ap.add_argument("--kiosks", type=int, default=50)
    ap.add_argument("--volunteers", type=int, default=20, help="per kiosk")
    ap.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""))
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    args = ap.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "postgresql":
            results.append(run_backend("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args))
        if args.pg and args.only != "sqlite":
            from tests.bench.bench_signin_setup import pg_schema_url

            results.append(run_backend("PostgreSQL", pg_schema_url(args.pg), args))
    print(f"\n{args.kiosks} kiosks, {args.seconds:.0f} s per run, 1 action per request, "
          f"gunicorn {args.workers} workers x {args.threads} threads")
    print(f"{'database':<11} {'endpoint':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7}  ratio")
    for r in results:
        b_rate, b50, b99 = _stats(r["bare"][0], r["bare"][3])
        s_rate, s50, s99 = _stats(r["real"][0], r["real"][3])
        print(f"{r['name']:<11} {'bare INSERT':<14} {b_rate:8.0f} {b50:8.1f} {b99:8.1f} "
              f"{sum(r['bare'][1].values()):7d}")
        print(f"{'':<11} {'sign actions':<14} {s_rate:8.0f} {s50:8.1f} {s99:8.1f} "
              f"{sum(r['real'][1].values()):7d}  {s_rate / b_rate:.2f}")
        if r["real"][1] or r["bare"][1]:
            print(f"{'':<11} errors: {dict(r['bare'][1])} {dict(r['real'][1])}")
        print(f"{'':<11} check: {r['check']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
