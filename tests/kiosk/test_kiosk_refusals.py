"""The kiosk stops sending an action the server refused for its content (marked refused and
kept for an admin), while a 5xx or a lost connection leaves it pending to be sent again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.client import Client, Offline, Refused
from kiosk.sync import SyncWorker


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _bad_order(kiosk):
    """An order whose note holds a NUL (as a broken keyboard driver might type)."""
    item = (kiosk.store.get("menu") or [{"id": 1}])[0]["id"]
    return kiosk.store.record("order", {"item_id": item, "phone": "13800000001",
                                        "note": "请\x00带伞"}, _now(), {"ok": True})


def test_an_action_refused_for_its_content_is_not_sent_again(kiosk, make_volunteers, db,
                                                             monkeypatch):
    (_, _, url), = make_volunteers(1)
    kiosk.sync.refresh()
    bad = _bad_order(kiosk)
    kiosk.sign(url)
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0
    assert kiosk.store.count("done") == 1  # the sign next to it went through
    refused = kiosk.store.action(bad.key)
    assert refused.state == "refused" and refused.answer["error"]["code"] == "invalid_text"
    assert kiosk.status()["needs_admin"] == 1  # confirmed on screen, then refused: shown
    sent: list[dict] = []
    real = Client.actions
    monkeypatch.setattr(Client, "actions", lambda self, batch: sent.append(batch)
                        or real(self, batch))
    kiosk.sync.once()
    assert sent == [] and kiosk.store.action(bad.key).attempts == 1


def test_a_whole_batch_refused_is_sent_one_by_one(kiosk, make_volunteers, monkeypatch):
    """A server that refuses the whole batch for one action (an older server, or one action
    too large for the batch cap): the kiosk finds that action and settles it as refused."""
    (_, _, url), = make_volunteers(1)
    kiosk.sync.refresh()
    kiosk.sign(url)
    bad = _bad_order(kiosk)
    real = Client.actions

    def strict(self, batch):
        if any("\x00" in str(a["body"]) for a in batch["actions"]):
            raise Refused(400, {"code": "invalid_text", "message": "NUL"})
        return real(self, batch)

    monkeypatch.setattr(Client, "actions", strict)
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0 and kiosk.store.count("done") == 1
    assert kiosk.store.action(bad.key).state == "refused"
    assert kiosk.store.action(bad.key).answer["error"]["code"] == "invalid_text"


@pytest.mark.parametrize("failure", [Offline("HTTP 500"), Offline("HTTP 503"),
                                     Offline("connection reset")])
def test_a_server_failure_leaves_the_batch_pending(kiosk, make_volunteers, monkeypatch,
                                                   failure):
    (_, _, url), = make_volunteers(1)
    kiosk.sign(url)
    real = Client.actions

    def failing(self, batch):
        raise failure

    monkeypatch.setattr(Client, "actions", failing)
    with pytest.raises(Offline):
        kiosk.sync.once()
    assert kiosk.store.count("pending") == 1 and kiosk.store.count("refused") == 0
    monkeypatch.setattr(Client, "actions", real)
    kiosk.sync.once()
    assert kiosk.store.count("pending") == 0 and kiosk.store.count("done") == 1


def test_a_real_5xx_answer_is_transient(kiosk, make_volunteers, app, monkeypatch):
    """The server itself answering 500 (its database went away): pending, then sent."""
    from server.devices import actions as server_actions

    (_, _, url), = make_volunteers(1)
    kiosk.sign(url)
    real = server_actions.upload

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(server_actions, "upload", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with pytest.raises(Offline):
        kiosk.sync.once()
    assert kiosk.store.count("pending") == 1
    monkeypatch.setattr(server_actions, "upload", real)
    kiosk.sync.once()
    assert kiosk.store.count("done") == 1


def test_backoff_grows_on_failures_and_resets(kiosk, monkeypatch):
    """run(): each Offline waits longer (jittered, capped); a good round starts over."""
    waits: list[float] = []
    outcomes = iter([Offline("HTTP 500"), Offline("HTTP 502"), Offline("reset"), None])
    worker = SyncWorker(kiosk, first_backoff=1.0, max_backoff=3.0, refresh_seconds=5.0)

    def once():
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        worker.stopping.set()

    monkeypatch.setattr(worker, "once", once)
    monkeypatch.setattr(worker.stopping, "wait", lambda seconds: waits.append(seconds))
    monkeypatch.setattr(worker, "_sleep", lambda seconds: waits.append(seconds))
    worker.run()
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and 1.5 <= waits[2] <= 3.0
    assert waits[3] == 5.0
