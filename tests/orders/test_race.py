"""50 volunteers accept one order at the same moment, each on its own thread and connection:
exactly one wins, the other 49 get 409 already_accepted. Run with TEST_DATABASE_URL for the
PostgreSQL row-lock path; on SQLite BEGIN IMMEDIATE and the conditional UPDATE hold it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from server.core.errors import DomainError

RACERS = 50


@pytest.fixture
def race_app(app, database_url):
    """The same database with a pool big enough for every racer to hold its own connection."""
    from server import create_app
    from server.core.db import engine_options
    from server.extensions import db
    from tests.conftest import _test_config

    options = engine_options(database_url, 30_000) | {"pool_size": RACERS + 2,
                                                       "max_overflow": 0}
    other = create_app({**_test_config(database_url), "SQLALCHEMY_ENGINE_OPTIONS": options})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_fifty_simultaneous_accepts_one_winner(race_app, db, place, teams):
    from server.core.db import writing
    from server.extensions import db as ext_db
    from server.orders import operations as ops
    from server.orders.models import Order, OrderStatusChange
    from server.volunteers import operations as vols
    from server.volunteers import teams as team_ops
    from server.volunteers.models import Volunteer

    order = place()
    racers = [teams["member"].id, teams["leader"].id]
    for n in range(RACERS - 2):
        volunteer = vols.create_volunteer(name=f"志愿者{n}", phone=f"1370000{n:04d}",
                                          site=teams["member"].home_site)
        team_ops.add_member(teams["branch"], volunteer)
        racers.append(volunteer.id)
    db.session.commit()
    number = order.number
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(volunteer_id: int) -> None:
        with race_app.app_context(), writing():
            if ext_db.engine.dialect.name == "postgresql":
                # Hold a connection before the start line. (On SQLite that would already be
                # BEGIN IMMEDIATE: writers queue on the lock, which is the point there.)
                ext_db.session.connection()
            barrier.wait(timeout=60)
            try:
                ops.accept(ops.get_order(number), ext_db.session.get(Volunteer, volunteer_id))
                ext_db.session.commit()
                outcome = "won"
            except DomainError as error:
                ext_db.session.rollback()
                outcome = f"{error.status} {error.code}"
            finally:
                ext_db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=accept, args=(vid,)) for vid in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == sorted(["won"] + ["409 already_accepted"] * (RACERS - 1))
    db.session.rollback()
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert order.status == "accepted" and order.volunteer_id in racers
    assert db.session.scalar(select(func.count()).select_from(OrderStatusChange).where(
        OrderStatusChange.order_id == order.id, OrderStatusChange.to_status == "accepted")) == 1


def test_simultaneous_orders_from_one_phone_keep_the_daily_limit(race_app, db, network, menu):
    """Eight orders from one phone at once with a limit of 3 a day: exactly 3 are placed."""
    from server.core.db import writing
    from server.extensions import db as ext_db
    from server.orders import operations as ops
    from server.orders.models import Order, ServiceItem
    from server.sites.models import Site

    race_app.config["ORDERS_PHONE_DAILY_LIMIT"] = 3
    site_id, item_id, phone = network["library"].id, menu["care"].id, "13822223333"
    racers = 8
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def place() -> None:
        barrier.wait(timeout=20)
        with race_app.app_context(), writing():
            try:
                ops.place_order(site=ext_db.session.get(Site, site_id),
                                item=ext_db.session.get(ServiceItem, item_id), phone=phone)
                ext_db.session.commit()
                outcome = "placed"
            except DomainError as error:
                ext_db.session.rollback()
                outcome = error.code
            finally:
                ext_db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=place) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["daily_limit"] * 5 + ["placed"] * 3
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)
                             .where(Order.phone == phone)) == 3
