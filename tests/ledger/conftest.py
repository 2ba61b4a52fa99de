"""Ledger fixtures: volunteers, closed shifts and catalog items made directly in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def make_volunteer(db, network):
    """make_volunteer(name=…, site=…) -> Volunteer, committed."""
    from server.volunteers.models import Volunteer

    counter = iter(range(1, 100_000))

    def make(name="张明", site=None, **fields):
        n = next(counter)
        volunteer = Volunteer(number=fields.pop("number", f"51081{n:06d}"), name=name,
                              phone=f"138{n:08d}", home_site_id=(site or network["library"]).id,
                              **fields)
        db.session.add(volunteer)
        db.session.commit()
        return volunteer

    return make


@pytest.fixture
def make_shift(db, network):
    """make_shift(volunteer, minutes, review="none", days_ago=1) -> a closed Shift, committed."""
    from server.core.timeutil import utcnow
    from server.shifts.models import Shift

    def make(volunteer, minutes=120, review="none", days_ago=1, site=None):
        start = utcnow() - timedelta(days=days_ago)
        shift = Shift(volunteer_id=volunteer.id, site_id=(site or network["library"]).id,
                      started_at=start, ended_at=start + timedelta(minutes=minutes),
                      start_method="kiosk", end_method="kiosk", is_verified=True,
                      credited_minutes=minutes, review=review)
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


@pytest.fixture
def make_item(db, network):
    """make_item(cost=…, stock=…, site=…) -> a catalog Item, committed."""
    from server.ledger.models import Item

    counter = iter(range(1, 100_000))

    def make(cost=5, stock=None, site=None, name=None, kind="goods", is_active=True):
        item = Item(site_id=(site or network["library"]).id, name=name or f"大米{next(counter)}",
                    kind=kind, cost_points=cost, stock=stock, is_active=is_active)
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def person(db, network):
    """A volunteer made the real way (numbered, with a live volunteer code), 10 points."""
    from server.ledger import operations as ledger
    from server.volunteers import operations as volunteers

    volunteer = volunteers.create_volunteer(name="李秀英", phone="13812345678",
                                            site=network["library"])
    ledger.adjust(volunteer, 10, "opening balance", actor="test")
    db.session.commit()
    return volunteer


@pytest.fixture
def phone_signed_in(client, app):
    """phone_signed_in(volunteer): the test client holds that volunteer's phone session."""
    from server.volunteers.auth import _serializer

    def sign_in(volunteer):
        with app.test_request_context():
            value = _serializer().dumps({"vid": volunteer.id, "epoch": volunteer.session_epoch})
        client.set_cookie(app.config["VOLUNTEER_COOKIE_NAME"], value)

    return sign_in
