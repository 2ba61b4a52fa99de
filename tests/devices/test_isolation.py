"""One isolation model on both engines: a kiosk's revocation and a volunteer's deactivation are
decided inside the upload's write transaction, so one committed while the upload waited counts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from server.core.db import WriterGate, writing
from tests.fixtures.kiosk import wait_until

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("change", ["revoke_kiosk", "deactivate_volunteer"])
def test_a_change_committed_while_an_upload_waits_refuses_it(app, db, enroll_kiosk,
                                                              create_volunteer, backend,
                                                              monkeypatch, change):
    from server.devices import operations as dops
    from server.devices.models import Device
    from server.extensions import db as ext_db
    from server.volunteers import operations as vops
    from server.volunteers.models import Volunteer

    kiosk = enroll_kiosk()
    volunteer, card = create_volunteer()
    assert kiosk.sign(card, DAY)["status"] == 200  # the kiosk is known and works
    volunteer_id = volunteer.id  # read here: the object belongs to this thread's session
    holding, go, upload_waits = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def change_and_hold():
        # An admin's change, in a write transaction of its own, held open until the upload
        # has begun and is waiting for it.
        try:
            with app.app_context(), writing():
                if change == "revoke_kiosk":
                    dops.revoke(ext_db.session.get(Device, kiosk.id), "被盗", actor="test")
                else:
                    vops.set_active(ext_db.session.get(Volunteer, volunteer_id), False,
                                    actor="test")
                ext_db.session.flush()
                holding.set()
                assert go.wait(30)
                ext_db.session.commit()
        except BaseException as error:  # surfaced below
            errors.append(error)
            holding.set()

    if backend == "sqlite":
        # The upload is waiting once it asks for the writer's turn (with the old read-apart
        # lookup it had read the kiosk and the card by then).
        acquire = WriterGate.acquire

        def noting_acquire(gate, timeout):
            if threading.current_thread().name == "upload":
                upload_waits.set()
            return acquire(gate, timeout)

        monkeypatch.setattr(WriterGate, "acquire", noting_acquire)
    admin = threading.Thread(target=change_and_hold)
    admin.start()
    assert holding.wait(30) and not errors, errors
    answers = []
    upload = threading.Thread(name="upload", target=lambda: answers.append(
        kiosk.upload([{"key": "after-change", "kind": "sign", "client_time": DAY.isoformat(),
                       "body": {"code": card}}])))
    upload.start()
    if backend == "sqlite":
        assert upload_waits.wait(30)
    else:
        def blocked_on_a_lock():
            waiting = db.session.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()
            db.session.rollback()  # the statistics are a snapshot per transaction
            return waiting > 0

        wait_until(blocked_on_a_lock, interval=0.01,
                   message="the upload never started waiting")
    go.set()
    admin.join(30)
    upload.join(30)
    assert not errors, errors
    [response] = answers
    if change == "revoke_kiosk":
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "device_revoked"
    else:
        assert response.status_code == 200
        [answer] = response.get_json()["answers"]
        # Deactivating withdraws the card's code with the volunteer. SQLite reads after the
        # change and finds the card withdrawn; PostgreSQL's waiting statement re-reads the row
        # it locked, the volunteer, and finds them inactive. Refused either way.
        assert (answer["status"], answer["error"]["code"]) in {
            (410, "code_revoked"), (403, "volunteer_inactive")}
