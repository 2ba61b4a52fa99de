"""Races on real connections: one login link used by two phones at once, numbers from threads."""

from __future__ import annotations

import threading

from server.core.db import writing
from server.volunteers import logins
from server.volunteers import operations as ops


def _race(app, work, n: int) -> list:
    from server.extensions import db

    barrier, results = threading.Barrier(n), []

    def run():
        with app.app_context(), writing():
            barrier.wait()
            try:
                results.append(work())
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the refusal is the result
                db.session.rollback()
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_phones_racing_for_one_link_get_one_login(app, db, create_volunteer):
    volunteer = create_volunteer()
    _, token = logins.issue_login_link(volunteer)
    db.session.commit()
    results = _race(app, lambda: logins.consume_login_link(token).id, 4)
    assert results.count(volunteer.id) == 1
    refused = [r for r in results if isinstance(r, logins.LinkRefused)]
    assert [r.code for r in refused] == ["link_used"] * 3


def test_numbers_from_concurrent_creations_are_unique(app, db, create_volunteer, network):
    create_volunteer()  # the year's counter exists
    site_id = network["east_station"].id
    results = _race(app, lambda: ops.create_volunteer(name="并发", phone="13900009999",
                                                      home_site_id=site_id).number, 6)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 6
