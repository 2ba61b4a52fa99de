"""The monthly shift rollup the reports read: kept by triggers through every kind of write,
checked against the shifts by `flask reports rollup-check`, and the reports' response-time
quantiles (computed by the database) against Python's statistics module."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from server.core.timeutil import LOCAL_TZ, as_utc
from server.orders.models import BRANDS, CONTENT_AREAS, Order, Rating, ServiceItem
from server.reports import models as rollup
from server.reports.figures import Period, report
from server.shifts.models import Shift
from server.volunteers.operations import create_volunteer


def _stored(db) -> dict[tuple[int, str], tuple[int, int]]:
    return {(r.site_id, r.month): (r.sign_ins, r.minutes)
            for r in db.session.scalars(select(rollup.ShiftMonth)) if r.sign_ins or r.minutes}


def _in_step(db) -> None:
    db.session.flush()
    assert rollup.check(db.session.connection()) == []


def test_the_fixed_offset_is_the_local_zone_s():
    """The triggers fold by UTC+8; that holds for Asia/Shanghai in every season and year."""
    for year in (1995, 2026, 2040):
        for month in (1, 7):
            instant = datetime(year, month, 15, tzinfo=UTC).astimezone(LOCAL_TZ)
            assert instant.utcoffset() == timedelta(hours=rollup.LOCAL_OFFSET_HOURS)


def test_every_write_to_a_shift_moves_the_rollup(db, network):
    east, west = network["east_station"], network["west_station"]
    person = create_volunteer(name="王小明", phone="13800000001", site=east)
    # 30 November 16:30 UTC is 1 December 00:30 in Shanghai: a December shift.
    shift = Shift(volunteer_id=person.id, site_id=east.id, start_method="admin",
                  started_at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    db.session.add(shift)
    _in_step(db)
    assert _stored(db) == {(east.id, "2026-12"): (1, 0)}  # open: a sign-in, no minutes yet

    shift.ended_at, shift.credited_minutes = shift.started_at + timedelta(hours=1), 60
    _in_step(db)
    assert _stored(db) == {(east.id, "2026-12"): (1, 60)}

    shift.review = "pending"  # minutes under review do not count
    _in_step(db)
    assert _stored(db) == {(east.id, "2026-12"): (1, 0)}
    shift.review = "approved"
    _in_step(db)
    assert _stored(db) == {(east.id, "2026-12"): (1, 60)}

    shift.started_at -= timedelta(hours=1)  # 23:30 local on 30 November
    shift.site_id = west.id
    _in_step(db)
    assert _stored(db) == {(west.id, "2026-11"): (1, 60)}

    db.session.execute(text("UPDATE shift SET credited_minutes = 45"))  # not through the ORM
    _in_step(db)
    assert _stored(db) == {(west.id, "2026-11"): (1, 45)}

    db.session.delete(shift)
    _in_step(db)
    assert _stored(db) == {}


def test_the_check_finds_drift_and_repair_mends_it(db, network, runner):
    person = create_volunteer(name="李大华", phone="13800000002", site=network["east_station"])
    db.session.add(Shift(volunteer_id=person.id, site_id=network["east_station"].id,
                         start_method="admin", started_at=datetime(2026, 3, 2, 1, tzinfo=UTC),
                         ended_at=datetime(2026, 3, 2, 2, tzinfo=UTC), credited_minutes=60))
    db.session.commit()
    assert runner.invoke(args=["reports", "rollup-check"]).exit_code == 0

    db.session.execute(text("UPDATE report_shift_month SET minutes = minutes + 7"))
    db.session.execute(text("INSERT INTO report_shift_month (site_id, month, sign_ins, minutes)"
                            " VALUES (:site, '2026-01', 2, 0)"),
                       {"site": network["west_station"].id})
    db.session.commit()
    drifted = rollup.check(db.session.connection())
    assert sorted((d.month, d.stored, d.recomputed) for d in drifted) == [
        ("2026-01", (2, 0), (0, 0)), ("2026-03", (1, 67), (1, 60))]
    db.session.rollback()

    found = runner.invoke(args=["reports", "rollup-check"])
    assert found.exit_code == 1 and "2 rollup rows drifted" in found.output
    assert "shifts say 1/60" in found.output
    repaired = runner.invoke(args=["reports", "rollup-check", "--repair"])
    assert repaired.exit_code == 1 and "rebuilt: 1 rows" in repaired.output
    assert runner.invoke(args=["reports", "rollup-check"]).exit_code == 0


def test_whole_months_from_the_rollup_equal_the_shifts(db, network):
    """A year of shifts at random times: the report's figures (whole months from the rollup,
    the clipped ones from the shifts) are the shifts' own count and sum."""
    rng = random.Random(7)
    people = [create_volunteer(name=f"志愿者{i}", phone=f"1380000{i:04d}",
                               site=network["east_station"]) for i in range(4)]
    sites = [network["east_station"], network["west_station"], network["east"]]
    start = datetime(2025, 12, 31, 15, tzinfo=UTC)
    for person in people:
        at = start
        for _ in range(30):
            at += timedelta(hours=rng.randint(20, 400))
            minutes = rng.randint(0, 240)
            db.session.add(Shift(volunteer_id=person.id, site_id=rng.choice(sites).id,
                                 start_method="admin", started_at=at,
                                 ended_at=at + timedelta(minutes=minutes),
                                 credited_minutes=minutes,
                                 review=rng.choice(("none", "none", "approved", "pending"))))
            at += timedelta(minutes=minutes)
    db.session.commit()
    shifts = db.session.scalars(select(Shift)).all()
    for first, last in [(date(2026, 1, 1), date(2026, 12, 31)),
                        (date(2026, 2, 14), date(2026, 9, 3)),
                        (date(2026, 5, 1), date(2026, 5, 31))]:
        period = Period(first, last)
        inside = [s for s in shifts if period.start <= as_utc(s.started_at) < period.end]
        figures = report(network["center"], period)
        assert figures.sign_ins == len(inside)
        assert figures.minutes == sum(s.credited_minutes for s in inside
                                      if s.review in ("none", "approved"))
        assert figures.active_volunteers == len({s.volunteer_id for s in inside})
        assert sum(round(r.value * 60) for r in figures.by_month) == pytest.approx(
            figures.minutes, abs=3 * len(figures.by_month))


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 7, 10, 11, 26])
def test_response_time_quantiles_are_python_s(db, network, count):
    station = network["east_station"]
    line = ServiceItem(site_id=station.id, name="代办代跑", content_area=CONTENT_AREAS[0],
                       brand=BRANDS[4])
    db.session.add(line)
    helper = create_volunteer(name="李大姐", phone="13800000009", site=station)
    db.session.flush()
    rng = random.Random(count)
    placed = datetime(2026, 3, 5, 2, tzinfo=UTC)
    accept, complete = [], []
    for i in range(count):
        wait = timedelta(seconds=rng.randint(60, 6 * 3600))
        service = wait + timedelta(seconds=rng.randint(600, 3 * 3600))
        done = i % 3 != 0  # some accepted orders are not completed yet
        order = Order(site_id=station.id, unit_site_id=station.id, item_id=line.id,
                      phone="13900000000", status="completed" if done else "accepted",
                      volunteer_id=helper.id,
                      placed_at=placed, accepted_at=placed + wait,
                      completed_at=placed + service if done else None)
        db.session.add(order)
        accept.append(int(wait.total_seconds()))
        if done:
            complete.append(int(service.total_seconds()))
            db.session.flush()
            db.session.add(Rating(order_id=order.id, stars=1 + i % 5))
    db.session.add(Order(site_id=station.id, unit_site_id=station.id, item_id=line.id,
                         phone="13900000000", placed_at=placed))  # still waiting
    db.session.commit()

    def python(seconds):  # the figures: minutes to 0.1 of the whole seconds' quantiles
        if not seconds:
            return None, None
        if len(seconds) == 1:
            return round(seconds[0] / 60, 1), round(seconds[0] / 60, 1)
        return (round(statistics.median(seconds) / 60, 1),
                round(statistics.quantiles(seconds, n=10, method="inclusive")[-1] / 60, 1))

    figures = report(network["center"], Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert figures.accept_minutes == python(accept)
    assert figures.complete_minutes == python(complete)
    assert sum(figures.orders_by_status.values()) == count + 1
    assert dict((r.label, r.value) for r in figures.orders_by_brand)[BRANDS[4]] == count + 1
    assert sum(figures.ratings.values()) == len(complete)
