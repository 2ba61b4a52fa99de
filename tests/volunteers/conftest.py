"""Fixtures for volunteer tests: the general team, a branch team, a volunteer factory."""

from __future__ import annotations

import pytest


@pytest.fixture
def general(db, network):
    from server.volunteers import teams

    team = teams.create_team("测试区志愿服务总队", network["center"], is_general=True)
    db.session.commit()
    return team


@pytest.fixture
def branch(db, general, network):
    from server.volunteers import teams

    team = teams.create_team("应急救援志愿服务分队", network["center"])
    db.session.commit()
    return team


@pytest.fixture
def create_volunteer(db, general, network):
    """create_volunteer(name="张明华", site="east_station", phone=...) -> Volunteer, committed."""
    from server.volunteers import operations as ops

    counter = iter(range(1, 10_000))

    def create(name="张明华", site="east_station", phone=None, **fields):
        volunteer = ops.create_volunteer(name=name, phone=phone or f"1390000{next(counter):04d}",
                                         site=network[site], **fields)
        db.session.commit()
        return volunteer

    return create


@pytest.fixture
def district_admin(create_admin, network):
    return create_admin("district_admin", network["center"], "district")


@pytest.fixture
def east_admin(create_admin, network):
    return create_admin("institute_admin", network["east"], "east")
