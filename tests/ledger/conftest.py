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
