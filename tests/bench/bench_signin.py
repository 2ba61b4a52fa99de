"""Sign-in benchmark: 50 simulated kiosks uploading sign actions to gunicorn, beside a bare INSERT.

Run from the repo root: ``.venv/bin/python tests/bench/bench_signin.py [--seconds 12]
[--kiosks 50] [--history 100] [--pg URL] [--workers 2 --threads 4] [--batch 1,10]
[--rate 400]``. Prints
actions/s, p50/p99 latency, errors and a check that no shift was lost or duplicated and every
shift that earned points was credited once, on SQLite and (with --pg or TEST_DATABASE_URL) on
PostgreSQL. Each volunteer starts with --history past shifts, as a real record has. The
headline is one action per request, as an online kiosk uploads each read at once; a larger
--batch adds a run where each upload carries that many actions, as a kiosk's outbox does when
it catches up after being offline.
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

from tests.bench.bench_signin_setup import prepare, statement_counts, verify  # noqa: E402

# Between two reads of one volunteer: a 20-minute shift earns points (10 an hour by default),
# as a real sign-out does, and the ~20 reads a volunteer gets in a run stay under the default
# daily cap of 8 hours, so no sign-out is cut to nothing by it.
READ_GAP = timedelta(minutes=20)


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


def _drive(port: int, kiosks: list[dict], seconds: float, make_request,
           rate: float | None = None):
    """Each kiosk a thread with a keep-alive connection, sending until the time is up or
    make_request returns None (that client has nothing left to send): one request after
    another (closed loop: the throughput the server can reach), or, with `rate`, on a fixed
    schedule of `rate` requests per second in all (open loop: each latency counts from the
    request's scheduled time, so a server that falls behind shows it in full)."""
    latencies, errors, sent = [], Counter(), []
    done = [0]  # actions answered (a request may carry several)
    lock = threading.Lock()
    began_at = time.perf_counter()
    stop = time.time() + seconds
    interval = len(kiosks) / rate if rate else None

    def run(index: int, kiosk: dict):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        mine, my_sent = [], []
        while time.time() < stop:
            request = make_request(index, kiosk, n)
            if request is None:
                break
            path, body, headers, meta = request
            started = time.perf_counter()
            if interval is not None:  # this kiosk's n-th slot, the kiosks spread over it
                started = began_at + interval * (n + index / len(kiosks))
                delay = started - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
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
                for number, answer in zip(meta, json.loads(data)["answers"], strict=True):
                    if answer["status"] != 200:
                        with lock:
                            errors[answer["error"]["code"]] += 1
                    else:
                        my_sent.append((number, answer["result"]["action"]))
            n += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            sent.extend(my_sent)
            done[0] += len(my_sent) if meta is not None else len(mine)

    threads = [threading.Thread(target=run, args=(i, k)) for i, k in enumerate(kiosks)]
    began = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, sent, time.time() - began, done[0]


def _stats(run):
    """(answered per second, p50 ms, p99 ms) of a _drive result."""
    latencies, elapsed, answered = run[0], run[3], run[4]
    ordered = sorted(latencies) or [0.0]
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return answered / elapsed, pick(0.50), pick(0.99)


def run_backend(name: str, url: str, args) -> dict:
    env = dict(os.environ, WENMING_DATABASE_URL=url, WENMING_SECRET_KEY="bench-secret",
               WENMING_BASE_URL="https://bench.example.org", PYTHONPATH=str(ROOT))
    kiosks = prepare(url, args.kiosks, args.volunteers, args.history)
    port = _free_port()
    proc = _start(env, port, args.workers, args.threads)
    try:
        insert = lambda i, k, n: ("/bench/insert", b"{}",  # noqa: E731
                                  {"Content-Type": "application/json"}, None)
        _drive(port, kiosks, 3, insert)  # warm-up: every worker has loaded its modules
        bare = _drive(port, kiosks, args.seconds, insert)
        base = datetime.now(UTC) - timedelta(days=20)

        def signs(phase: int, size: int):
            def sign(i, kiosk, n):
                # Round-robin over this kiosk's own volunteers; each read READ_GAP after the
                # last of the same volunteer, so every read is a real sign-in or sign-out and
                # every sign-out credits points to the time bank. A later phase runs a day
                # later, so its reads follow the earlier ones.
                cards = kiosk["cards"]
                actions, numbers = [], []
                for m in range(n * size, (n + 1) * size):
                    volunteer = cards[m % len(cards)]
                    at = base + timedelta(days=phase, seconds=i) \
                        + READ_GAP * (m // len(cards)) + timedelta(minutes=1)
                    actions.append({"key": f"b{phase}-{i}-{m}", "kind": "sign",
                                    "client_time": at.isoformat(),
                                    "body": {"code": volunteer["card"]}})
                    numbers.append(volunteer["number"])
                # What kiosk.sync sends: the batch's send time, from which the server measures
                # the kiosk's clock offset on every upload.
                body = json.dumps({"actions": actions, "clock_offset_ms": 0,
                                   "sent_at": datetime.now(UTC).isoformat()}).encode()
                return ("/api/v1/kiosk/actions", body,
                        {"Content-Type": "application/json",
                         "Authorization": f"Bearer {kiosk['secret']}"}, numbers)
            return sign

        plan = [(f"sign x{size}", size, None) for size in args.batch]
        plan += [(f"x1 @{rate:g}/s", 1, rate) for rate in args.rate]
        runs = [(label, _drive(port, kiosks, args.seconds, signs(phase, size), rate))
                for phase, (label, size, rate) in enumerate(plan)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    check = verify(url, [item for _, run in runs for item in run[2]])
    return {"name": name, "bare": bare, "runs": runs, "check": check}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=12)
    ap.add_argument("--kiosks", type=int, default=50)
    ap.add_argument("--volunteers", type=int, default=20, help="per kiosk")
    ap.add_argument("--history", type=int, default=100,
                    help="past shifts per volunteer (weekly, two years' worth by default)")
    ap.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""))
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    # As `make run` serves: one worker process per core of this 2-core machine, 4 threads each.
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    ap.add_argument("--batch", default="1,10",
                    help="actions per upload, one run each: e.g. 1,10 (at most 20 per kiosk)")
    ap.add_argument("--rate", default="400",
                    help="open-loop runs of one action per upload at these rates in all "
                         "(signs/s, comma-separated; empty for none)")
    args = ap.parse_args(argv)
    args.batch = [int(b) for b in args.batch.split(",")]
    args.rate = [float(r) for r in args.rate.split(",") if r]
    if not all(1 <= b <= args.volunteers for b in args.batch):
        ap.error("each batch size must be between 1 and --volunteers")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "postgresql":
            results.append(run_backend("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args))
        if args.pg and args.only != "sqlite":
            from tests.bench.bench_signin_setup import pg_schema_url

            results.append(run_backend("PostgreSQL", pg_schema_url(args.pg), args))
    print(f"\n{args.kiosks} kiosks of {args.volunteers} volunteers, each with {args.history} "
          f"past shifts; {args.seconds:.0f} s per run, "
          f"gunicorn {args.workers} workers x {args.threads} threads; bare = one INSERT per "
          f"request, sign xN = N sign actions per upload as fast as answered (closed loop), "
          f"x1 @R/s = one action per upload offered at R per second in all (open loop, "
          f"latency from each request's scheduled time)")
    print("target: >= 400 signs/s at p99 < 250 ms with one action per upload; >= 1000 "
          "actions/s in batches of 10; 0 errors, 0 lost, 0 duplicated, every credit posted "
          "and audited once")
    print(statement_counts())
    print(f"{'database':<11} {'endpoint':<14} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7}  ratio")
    for r in results:
        b_rate, b50, b99 = _stats(r["bare"])
        print(f"{r['name']:<11} {'bare INSERT':<14} {b_rate:8.0f} {b50:8.1f} {b99:8.1f} "
              f"{sum(r['bare'][1].values()):7d}")
        for label, run in r["runs"]:
            s_rate, s50, s99 = _stats(run)
            print(f"{'':<11} {label:<14} {s_rate:8.0f} {s50:8.1f} {s99:8.1f} "
                  f"{sum(run[1].values()):7d}  {s_rate / b_rate:.2f}")
            if run[1]:
                print(f"{'':<11} errors: {dict(run[1])}")
        if r["bare"][1]:
            print(f"{'':<11} bare errors: {dict(r['bare'][1])}")
        print(f"{'':<11} check: {r['check']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
