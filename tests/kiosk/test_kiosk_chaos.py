"""Chaos: three kiosks scan 1,000 times while the server is down, then sync through a network
that drops connections at random. Nothing may be lost and nothing applied twice."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from kiosk.core import Kiosk
from kiosk.sync import SyncWorker
from tests.fixtures.kiosk import wait_until

pytestmark = pytest.mark.slow

SCANS = 1000


def test_thousand_offline_scans_sync_exactly_once(tmp_path, proxy, live_backend, network,
                                                  make_volunteers, enrollment_code, db):
    from server.devices.models import KioskAction

    sites = [network["library"], network["east_station"], network["west_station"]]
    kiosks, cards = [], []
    for i, site in enumerate(sites):
        cards.append([url for _, _, url in make_volunteers(8, site=site)])
        k = Kiosk(proxy.url, tmp_path / f"kiosk{i}")
        assert k.enroll(enrollment_code(site))
        k.debounce_seconds = 0  # every scan is an action here
        SyncWorker(k).refresh()
        kiosks.append(k)

    live_backend.stop()
    rng = random.Random(7)
    for n in range(SCANS):
        k = n % 3
        kiosks[k].sign(rng.choice(cards[k]))
        assert kiosks[k].screen.result.ok  # confirmed on screen while the server is down
    assert sum(k.store.count("pending") for k in kiosks) == SCANS

    live_backend.start()
    proxy.drop = 0.3
    workers = [SyncWorker(k, refresh_seconds=0.5, max_backoff=0.3, first_backoff=0.05)
               for k in kiosks]
    for w in workers:
        w.start()
    try:
        wait_until(lambda: all(k.store.count("pending") == 0 for k in kiosks), timeout=240,
                   interval=0.5, message="queues did not drain")
    finally:
        for w in workers:
            w.stop()
        for w in workers:
            w.join(30)
    assert proxy.dropped > 10  # the network really was bad

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(KioskAction)) == SCANS
    stored = {key: status for key, status in db.session.execute(
        select(KioskAction.client_key, KioskAction.status))}
    for k in kiosks:
        local = k.store.actions(limit=SCANS)
        assert all(a.state in ("done", "refused") for a in local)
        for action in local:
            # Each kiosk applied the very answer the server stored for that key.
            assert stored[action.key] == action.answer["status"]
    try:
        from server.ledger.operations import verify
    except ImportError:  # the ledger is not there yet
        return
    assert verify() == []
