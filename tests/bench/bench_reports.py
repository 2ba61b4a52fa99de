"""Reports benchmark on the generated province (`flask demo province`), on SQLite and
PostgreSQL: the overview and the reports page for the province admin and one institute admin
(median of several loads through the Flask test client), the exports' rows per second, and
every figure checked against plain SQL (count(*), sum()) so the fast numbers are the exact ones;
the plain statements' time is printed beside the page's (the scan the rollup saves).

Run from the repo root: ``.venv/bin/python tests/bench/bench_reports.py [--scale 1.0]
[--sqlite PATH] [--pg URL] [--loads 5]``. A database that already holds the province is
reused (generation takes minutes); an empty one is migrated and generated first. Targets:
overview and reports <= 500 ms on PostgreSQL, <= 1 s on SQLite; exports >= 50,000 rows/s.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

UNTIL = date(2026, 12, 1)
TARGET_MS = {"sqlite": 1000, "postgresql": 500}
EXPORT_TARGET = 50_000


def _app(url: str):
    from server import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret",
                       "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
                       "BASE_URL": "http://127.0.0.1:5000"})


def _ready(app, scale: float) -> None:
    """Migrate, and generate the province when the database holds none."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from server.core.db import writing
    from server.demo.province import build, settle
    from server.extensions import db
    from server.sites.models import Site

    with app.app_context():
        upgrade(directory=str(ROOT / "server" / "migrations"))
        if db.session.scalar(select(func.count()).select_from(Site)):
            db.session.rollback()
            return
        db.session.rollback()
        with writing():
            built = build(scale=scale, seed=2024, until=UNTIL, progress=print)
            db.session.commit()
        settle()
        print(f"  generated in {built.seconds:.0f} s")


def _login(client, username: str) -> None:
    from server.demo.district import DEMO_PASSWORD

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 302, answer.status_code


def _median_ms(client, url: str, loads: int) -> tuple[float, str]:
    times, page = [], ""
    for _ in range(loads):
        begun = time.perf_counter()
        response = client.get(url)
        page = response.get_data(as_text=True)
        times.append((time.perf_counter() - begun) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), page


def _plain(db, sql: str, **params) -> int:
    """A figure by plain SQL, beside the code under test. An instant is bound as the columns
    store it (UTC): SQLite compares text, so a bound of Asia/Shanghai wall-clock text would
    be eight hours off (the check itself was, until it said so: "orders: page 16 != SQL 13"
    for orders placed in the first hours of a local day)."""
    from sqlalchemy import bindparam, text

    from server.core.timeutil import UtcDateTime

    statement = text(sql).bindparams(*[bindparam(name, type_=UtcDateTime())
                                       for name, value in params.items()
                                       if isinstance(value, datetime)])
    return int(db.session.execute(statement, params).scalar() or 0)


def _check_figures(db, root, period, page: str) -> tuple[list[str], float]:
    """The report's figures against plain count(*)/sum(); the page shows the same. Also the
    milliseconds the five plain statements took: the alternative to the rollup, side by side
    (they compute five of the report's figures, without the breakdowns)."""
    from server.reports.figures import report

    figures = report(root, period)
    bounds = {"path": root.path + "%", "start": period.start, "end": period.end}
    begun = time.perf_counter()
    shifts = ("FROM shift JOIN site ON site.id = shift.site_id WHERE site.path LIKE :path "
              "AND shift.started_at >= :start AND shift.started_at < :end")
    plain = {
        "sign-ins": _plain(db, f"SELECT count(*) {shifts}", **bounds),
        "minutes": _plain(db, f"SELECT sum(credited_minutes) {shifts} AND review IN "
                              "('none', 'approved')", **bounds),
        "active volunteers": _plain(db, f"SELECT count(DISTINCT volunteer_id) {shifts}",
                                    **bounds),
        "orders": _plain(db, "SELECT count(*) FROM service_order o JOIN site ON site.id = "
                             "o.site_id WHERE site.path LIKE :path AND o.placed_at >= :start "
                             "AND o.placed_at < :end", **bounds),
        "ratings": _plain(db, "SELECT count(*) FROM order_rating r JOIN service_order o ON "
                              "o.id = r.order_id JOIN site ON site.id = o.site_id WHERE "
                              "site.path LIKE :path AND o.placed_at >= :start AND "
                              "o.placed_at < :end", **bounds),
    }
    plain_ms = (time.perf_counter() - begun) * 1000
    ours = {"sign-ins": figures.sign_ins, "minutes": figures.minutes,
            "active volunteers": figures.active_volunteers,
            "orders": sum(figures.orders_by_status.values()),
            "ratings": sum(figures.ratings.values())}
    wrong = [f"{k}: page {ours[k]} != SQL {plain[k]}" for k in plain if ours[k] != plain[k]]
    below = _plain(db, f"SELECT sum(credited_minutes) {shifts} AND review IN "
                       "('none', 'approved') AND site.id != :root", root=root.id, **bounds)
    unit_minutes = sum(round(r.value * 60) for r in figures.by_unit)
    if abs(unit_minutes - below) > 3 * max(1, len(figures.by_unit)):  # hours to 0.1 h
        wrong.append(f"units add to {unit_minutes} min, not {below}")
    if f'<div class="n">{figures.sign_ins}</div>' not in page:
        wrong.append("the page does not show the sign-ins")
    return wrong, plain_ms


def _check_overview(db, root, page: str) -> list[str]:
    from server.dashboard.stats import overview

    stats = overview(root)
    path = {"path": root.path + "%"}
    plain = {
        "volunteers": _plain(db, "SELECT count(*) FROM volunteer v JOIN site ON site.id = "
                                 "v.home_site_id WHERE v.is_active AND site.path LIKE :path",
                             **path),
        "on duty": _plain(db, "SELECT count(*) FROM shift JOIN site ON site.id = shift.site_id"
                              " WHERE shift.ended_at IS NULL AND site.path LIKE :path", **path),
        "pending reviews": _plain(db, "SELECT count(*) FROM shift JOIN site ON site.id = "
                                      "shift.site_id WHERE shift.review = 'pending' AND "
                                      "site.path LIKE :path", **path),
    }
    ours = {"volunteers": stats.volunteers, "on duty": stats.on_duty,
            "pending reviews": stats.pending_reviews}
    wrong = [f"{k}: page {ours[k]} != SQL {plain[k]}" for k in plain if ours[k] != plain[k]]
    if str(stats.volunteers) not in page:
        wrong.append("the overview does not show the volunteers")
    return wrong


def _export(client, url: str, expected: int) -> tuple[int, float, bool]:
    """Rows per second of one export, from the request to its last byte; the rows are counted
    after the clock stops (an XLSX file by opening it back)."""
    begun = time.perf_counter()
    response = client.get(url, buffered=False)
    chunks = list(response.response)
    seconds = time.perf_counter() - begun
    response.close()
    assert response.status_code == 200, (url, response.status_code)
    if "format=xlsx" in url:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).active
        rows = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1  # the header
    else:
        rows = sum(chunk.count(b"\r\n") for chunk in chunks) - 1
    return rows, rows / seconds if seconds else 0.0, rows == expected


def bench(name: str, url: str, scale: float, loads: int) -> None:
    from sqlalchemy import func, select

    from server.demo.province import DISTRICT_ADMIN, INSTITUTE_ADMIN
    from server.extensions import db
    from server.reports.figures import Period, period_for
    from server.shifts.models import Shift
    from server.sites.models import Site
    from server.users.models import AdminUser

    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"\n== {name} ({url})")
    app = _app(url)
    _ready(app, scale)
    with app.app_context():
        counts = {t: _plain(db, f"SELECT count(*) FROM {t}") for t in
                  ("site", "volunteer", "shift", "service_order", "order_rating",
                   "ledger_transfer")}
        print("  dataset: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        today = datetime.now().date()
        last_day = min(today, db.session.scalar(select(func.max(Shift.started_at))).date())
        db.session.rollback()
    periods = {
        "this month (default)": ("", period_for("month", today)),
        "last 30 days": (f"period=custom&from={last_day - timedelta(days=29)}&to={last_day}",
                         Period(last_day - timedelta(days=29), last_day)),
        "this year": ("period=year", period_for("year", today)),
    }
    limit = TARGET_MS[dialect]
    for username in (DISTRICT_ADMIN, INSTITUTE_ADMIN):
        client = app.test_client()
        with app.app_context():
            _login(client, username)
            user = db.session.scalar(select(AdminUser).where(AdminUser.username == username))
            root_id = user.site_id
            db.session.rollback()
        ms, page = _median_ms(client, "/admin/", loads)
        with app.app_context():
            root = db.session.get(Site, root_id)
            wrong = _check_overview(db, root, page)
            db.session.rollback()
        print(f"  {username:20} overview            {ms:7.0f} ms  "
              f"{'ok' if ms <= limit else 'OVER ' + str(limit)}  "
              f"{wrong if wrong else 'exact'}")
        for label, (query, period) in periods.items():
            ms, page = _median_ms(client, f"/admin/reports/?{query}", loads)
            with app.app_context():
                root = db.session.get(Site, root_id)
                wrong, plain_ms = _check_figures(db, root, period, page)
                db.session.rollback()
            print(f"  {username:20} reports {label:20} {ms:7.0f} ms  "
                  f"{'ok' if ms <= limit else 'OVER ' + str(limit)}  "
                  f"(plain SQL, five figures: {plain_ms:6.0f} ms)  "
                  f"{wrong if wrong else 'exact'}")
    client = app.test_client()
    with app.app_context():
        _login(client, DISTRICT_ADMIN)
    first = last_day - timedelta(days=29)
    span = f"from={first}&to={last_day}"
    with app.app_context():
        bounds = {"start": Period(first, last_day).start, "end": Period(first, last_day).end}
        expected = {
            "shifts": _plain(db, "SELECT count(*) FROM shift WHERE started_at >= :start AND "
                                 "started_at < :end", **bounds),
            "ledger": _plain(db, "SELECT count(*) FROM ledger_transfer WHERE created_at >= "
                                 ":start AND created_at < :end", **bounds),
            "redemptions": _plain(db, "SELECT count(*) FROM ledger_redemption WHERE "
                                      "created_at >= :start AND created_at < :end", **bounds),
            "volunteers": _plain(db, "SELECT count(*) FROM volunteer"),
            "orders": _plain(db, "SELECT count(*) FROM service_order"),
            "hours": _plain(db, "SELECT count(*) FROM (SELECT DISTINCT volunteer_id FROM shift "
                                "WHERE started_at >= :start AND started_at < :end) AS v",
                            start=Period(last_day.replace(day=1), last_day).start,
                            end=Period(last_day.replace(day=1), last_day).end),
        }
        db.session.rollback()
    exports = {
        "shifts": f"/admin/shifts/?{span}&format=csv",
        "ledger": f"/admin/ledger/?{span}&format=csv",
        "redemptions": f"/admin/ledger/redemptions?{span}&format=csv",
        "volunteers": "/admin/volunteers/?format=csv",
        "orders": "/admin/orders/?format=csv",
        "hours": f"/admin/reports/?period=custom&from={last_day.replace(day=1)}&to={last_day}"
                 "&format=csv",
        "kiosks": "/admin/kiosks/?format=csv",
        "audit": "/admin/audit/?format=csv",
    }
    for fmt in ("csv", "xlsx"):
        for what, path in exports.items():
            with app.app_context():
                if what == "kiosks":
                    expected[what] = _plain(db, "SELECT count(*) FROM device WHERE "
                                                "revoked_at IS NULL")
                if what == "audit":  # the export's own entry is written before it is read
                    expected[what] = _plain(db, "SELECT count(*) FROM audit_event") + 1
                db.session.rollback()
            rows, rate, exact = _export(client, path.replace("format=csv", f"format={fmt}"),
                                        expected[what])
            print(f"  export {what:11} {fmt:4} {rows:9,} rows  {rate:9,.0f} rows/s  "
                  f"{'ok' if rate >= EXPORT_TARGET else 'UNDER ' + str(EXPORT_TARGET)}  "
                  f"{'exact' if exact else 'SQL says ' + str(expected[what])}")
    with app.app_context():
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--sqlite", default="/tmp/province.sqlite3")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                                        "province_bench")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    if args.only != "postgresql":
        bench("SQLite", f"sqlite:///{args.sqlite}", args.scale, args.loads)
    if args.only != "sqlite":
        bench("PostgreSQL", args.pg, args.scale, args.loads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
