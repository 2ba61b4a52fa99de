"""Bench helpers: a throwaway database with kiosks and volunteers, and the after-run check."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, insert, select, text


def pg_schema_url(url: str, schema: str = "bench_signin") -> str:
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) \
        if url.startswith("postgresql://") else url
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def _app(url: str):
    from server import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret",
                       "BASE_URL": "https://bench.example.org"})


# The bench's reads are at most a few days old; a volunteer's past shifts all end before this.
HISTORY_END = timedelta(days=60)


def prepare(url: str, kiosks: int, per_kiosk: int, history: int = 0) -> list[dict]:
    """Schema, one site per kiosk, enrolled kiosks and their volunteers with cards, each
    volunteer with `history` past shifts (weekly, ending HISTORY_END ago): a sign path that
    reads more of a volunteer's record the longer it is shows here, not years after launch."""
    from server.codes.operations import code_url
    from server.core.db import writing
    from server.devices import operations as dops
    from server.extensions import db
    from server.shifts.models import Shift
    from server.sites import operations as sites
    from server.volunteers import operations as vops
    from tests.bench.bench_signin_app import metadata

    app = _app(url)
    out = []
    with app.app_context(), writing():
        db.create_all()
        metadata.create_all(db.engine)
        center = sites.create_site(kind="center", name="压测区中心")
        institute = sites.create_site(kind="institute", name="压测所", parent=center)
        phone = 13700000000
        for k in range(kiosks):
            station = sites.create_site(kind="station", name=f"压测站{k}", parent=institute)
            _, code = dops.create_enrollment(station)
            device, secret, _ = dops.enroll(code_url(code))
            cards = []
            for v in range(per_kiosk):
                phone += 1
                volunteer = vops.create_volunteer(name=f"压测{k}-{v}", phone=str(phone),
                                                  site=station)
                if history:
                    db.session.execute(insert(Shift.__table__), _history(
                        volunteer.id, station.id, device.id, history))
                cards.append({"number": volunteer.number,
                              "card": code_url(vops.volunteer_code(volunteer))})
            out.append({"device_id": device.id, "secret": secret, "cards": cards})
        db.session.commit()
        db.engine.dispose()
    return out


def _history(volunteer_id: int, site_id: int, device_id: int, count: int) -> list[dict]:
    """Weekly two-hour kiosk shifts, the last ending HISTORY_END ago, as sign() leaves them."""
    last = datetime.now(UTC).replace(microsecond=0) - HISTORY_END
    rows = []
    for week in range(count, 0, -1):
        start = last - timedelta(weeks=week - 1, hours=2)
        rows.append({"volunteer_id": volunteer_id, "site_id": site_id, "started_at": start,
                     "ended_at": start + timedelta(hours=2), "start_method": "kiosk",
                     "end_method": "kiosk", "start_device_id": device_id,
                     "end_device_id": device_id, "is_verified": True, "credited_minutes": 120,
                     "review": "none", "review_reason": "", "flags": [], "note": "",
                     "created_at": start})
    return rows


def verify(url: str, sent: list[tuple[str, str]]) -> str:
    """Compare the shifts in the database with the answers the kiosks received, and the time
    bank with the shifts: each shift that earned points has exactly one credit of them."""
    from server.core.audit import AuditEvent
    from server.devices.models import KioskAction
    from server.extensions import db
    from server.ledger.models import Transfer
    from server.ledger.operations import points_for_minutes
    from server.shifts.models import Shift
    from server.volunteers.models import Volunteer

    expected = Counter(number for number, action in sent if action == "in")
    closed = Counter(number for number, action in sent if action == "out")
    app = _app(url)
    with app.app_context():
        actions = db.session.scalar(select(func.count()).select_from(KioskAction))
        recent = Shift.started_at > datetime.now(UTC) - HISTORY_END  # not prepare()'s
        rows = db.session.execute(select(Volunteer.number, Shift.ended_at).join(
            Shift, Shift.volunteer_id == Volunteer.id).where(recent)).all()
        earned = {str(shift_id): points_for_minutes(minutes) for shift_id, minutes in
                  db.session.execute(select(Shift.id, Shift.credited_minutes).where(
                      Shift.credited_minutes > 0, recent)) if points_for_minutes(minutes) > 0}
        credits = Counter()
        credits_off = 0
        transfer_ids = set()
        for transfer_id, source_type, source_id, amount in db.session.execute(
                select(Transfer.id, Transfer.source_type, Transfer.source_id, Transfer.amount)):
            credits[source_id] += 1
            transfer_ids.add(str(transfer_id))
            credits_off += source_type != "shift" or earned.get(source_id) != amount
        audited = Counter(db.session.scalars(select(AuditEvent.target_id).where(
            AuditEvent.action == "ledger.post", AuditEvent.target_type == "ledger_transfer")))
        db.engine.dispose()
    found, found_closed = defaultdict(int), defaultdict(int)
    for number, ended in rows:
        found[number] += 1
        found_closed[number] += ended is not None
    lost = sum(max(0, n - found[v]) for v, n in expected.items())
    extra = sum(max(0, found[v] - expected.get(v, 0)) for v in found)
    closes_off = sum(abs(found_closed[v] - closed.get(v, 0)) for v in set(found) | set(closed))
    credits_off += sum(credits[shift_id] != 1 for shift_id in earned) \
        + sum(n - 1 for n in credits.values() if n > 1)
    audits_off = sum(audited[t] != 1 for t in transfer_ids) + len(set(audited) - transfer_ids)
    ok = lost == 0 and extra == 0 and closes_off == 0 and actions == len(sent) \
        and credits_off == 0 and audits_off == 0
    return (f"{'OK' if ok else 'MISMATCH'}: {len(sent)} actions answered, {actions} stored; "
            f"{sum(expected.values())} sign-ins sent, {len(rows)} shifts; lost {lost}, "
            f"duplicated {extra}, sign-outs off by {closes_off}; {len(earned)} shifts "
            f"earned points, {sum(credits.values())} credits, off by {credits_off}; "
            f"{sum(audited.values())} credits audited, off by {audits_off}")


def statement_counts() -> str:
    """The statements one kiosk sign-in and one crediting sign-out run (as
    tests/shifts/test_statement_budget.py counts them), on a throwaway SQLite database."""
    import tempfile

    from sqlalchemy import event

    from server.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/count.sqlite3"
        [kiosk] = prepare(url, 1, 2)
        app = _app(url)
        client = app.test_client()
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        base = datetime.now(UTC) - timedelta(days=3)
        counts = []
        for n, (card, minutes) in enumerate([(0, 0), (0, 60), (1, 0), (0, 120), (0, 180)]):
            seen.clear()
            at = (base + timedelta(minutes=minutes)).isoformat()
            client.post("/api/v1/kiosk/actions", headers={
                "Authorization": f"Bearer {kiosk['secret']}"}, json={
                "actions": [{"key": f"count{n}", "kind": "sign", "client_time": at,
                             "body": {"code": kiosk["cards"][card]["card"]}}],
                "clock_offset_ms": 0})
            counts.append(sum(not s.startswith(("BEGIN", "COMMIT")) for s in seen))
        engine.dispose()
    # The first two reads warm up (the kiosk's clock offset, a first credit's account).
    return (f"statements per sign: {counts[3]} for a sign-in, {counts[4]} for a crediting "
            f"sign-out (plus BEGIN IMMEDIATE on SQLite; PostgreSQL adds the pool's pre-ping, "
            f"BEGIN and COMMIT round trips)")
