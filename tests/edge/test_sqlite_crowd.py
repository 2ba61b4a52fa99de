"""Refused reads under a crowd of writers: a forged /S/<token> and a bad kiosk order-status
lookup write their audit entry while kiosks upload. On SQLite such a GET began a deferred
transaction; its audit write must not fail with "database is locked" (a 500) nor be lost.
Real threads on the real database file (PostgreSQL runs it too)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from tests.fixtures.devices import sign_action

READERS, WRITERS, ROUNDS = 4, 2, 30


def test_refused_reads_among_writers_are_answered_and_audited(app, db, enroll_kiosk,
                                                              create_volunteer):
    from server.core.audit import AuditEvent

    kiosks = [enroll_kiosk(client_=app.test_client()) for _ in range(WRITERS)]
    cards = [create_volunteer(f"志愿者{i}")[1] for i in range(WRITERS)]
    reader_kiosk = enroll_kiosk(client_=app.test_client())
    db.session.rollback()
    before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "code.rejected"))
    statuses: Counter[int] = Counter()
    refused = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(READERS + WRITERS)

    def read(n: int) -> None:
        client = app.test_client()
        start.wait()
        for i in range(ROUNDS):
            try:
                if (n + i) % 2:
                    response = client.get(f"/S/AEAQES2BAE{n}X{i}FORGEDTOKEN")
                else:
                    response = client.get(f"/api/v1/kiosk/order-status?code=BAD{n}-{i}",
                                          headers=reader_kiosk.headers)
            except Exception as error:  # the test app propagates what would be a 500
                with lock:
                    statuses[500] += 1
                    errors.append(repr(error)[:200])
                continue
            with lock:
                statuses[response.status_code] += 1
                if 400 <= response.status_code < 500:
                    refused["reads"] += 1

    def write(n: int) -> None:
        kiosk, card = kiosks[n], cards[n]
        start.wait()
        for _ in range(ROUNDS):
            response = kiosk.upload([sign_action(card)])
            with lock:
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)] + \
        [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [s for s in statuses if s >= 500], (statuses, errors[:3])
    assert refused["reads"] == READERS * ROUNDS, statuses
    assert statuses[200] == WRITERS * ROUNDS, statuses
    db.session.rollback()
    after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "code.rejected"))
    assert after - before == READERS * ROUNDS  # every refusal audited
