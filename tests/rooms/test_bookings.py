"""Function rooms: bookings within the opening hours, approval by the unit, and two live
bookings of one room never overlapping — refused by the database itself, also when many
people book the same hour at once, on both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import icalendar
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from server.core.timeutil import LOCAL_TZ
from tests.fixtures.activities import form_token


def _next_weekday(hour: int, minute: int = 0, weekday: int = 2) -> datetime:
    """The next given weekday (ISO, Tuesday by default) at least two days ahead, local."""
    day = datetime.now(LOCAL_TZ).date() + timedelta(days=2)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


@pytest.fixture
def room(db, network):
    from server.rooms import operations as rooms

    made = rooms.create_room(building=network["center"], name="书画室", zone="文化活动",
                             capacity=30, opens=time(9), closes=time(17, 30),
                             weekdays="12345", needs_approval=True, actor="test")
    db.session.commit()
    return made


def _book(room, start, hours=2.0, phone="13908121001", **fields):
    from server.rooms import operations as rooms

    return rooms.book(room, starts_at=start, ends_at=start + timedelta(hours=hours),
                      purpose="书法交流", attendees=10, contact_name="刘建华", phone=phone,
                      **fields)


def test_opening_hours_capacity_and_overlap_rules(db, room):
    from server.core.errors import DomainError

    tuesday = _next_weekday(9)
    first = _book(room, tuesday)
    db.session.commit()
    assert first.status == "requested"
    cases = [
        (dict(start=tuesday + timedelta(hours=1)), "room_taken"),  # overlaps, even waiting
        (dict(start=tuesday.replace(hour=8)), "outside_opening_hours"),
        (dict(start=tuesday.replace(hour=16), hours=2), "outside_opening_hours"),
        (dict(start=_next_weekday(10, weekday=6)), "outside_opening_hours"),  # Saturday
        (dict(start=tuesday.replace(hour=13), hours=6), "invalid_length"),
        (dict(start=tuesday.replace(hour=13), hours=0.25), "invalid_length"),
        (dict(start=tuesday - timedelta(days=10)), "in_past"),
        (dict(start=tuesday + timedelta(days=70)), "too_far_ahead"),
        (dict(start=tuesday.replace(hour=13), phone="12345"), "invalid_phone"),
    ]
    for given, code in cases:
        with pytest.raises(DomainError) as refused:
            _book(room, given.pop("start"), **given)
        assert refused.value.code == code, given
        db.session.rollback()
    next_one = _book(room, tuesday + timedelta(hours=2), phone="13908121002")  # touches: fine
    db.session.commit()
    assert next_one.starts_at


def test_the_database_refuses_an_overlap_the_rules_never_saw(db, room):
    """Written past the rules (a script, a bug): the exclusion constraint or the trigger."""
    from server.rooms.models import RoomBooking

    start = _next_weekday(10)
    _book(room, start)
    db.session.commit()
    start = start.astimezone(UTC)  # stored as UTC, as every writer of this app stores times
    row = {"room_id": room.id, "starts_at": start + timedelta(minutes=30),
           "ends_at": start + timedelta(hours=3), "status": "confirmed", "channel": "admin",
           "purpose": "绕过规则", "attendees": 1, "contact_name": "", "decided_by": "",
           "reason": "", "created_at": start}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(RoomBooking.__table__).values(**row))
        db.session.flush()
    db.session.rollback()
    # A cancelled or rejected booking holds nothing: the same row as "cancelled" goes in,
    # and turning it live again is refused.
    db.session.execute(insert(RoomBooking.__table__).values(**{**row, "status": "cancelled"}))
    db.session.commit()
    cancelled = db.session.scalar(select(RoomBooking).where(RoomBooking.status == "cancelled"))
    with pytest.raises(IntegrityError):
        cancelled.status = "confirmed"
        db.session.flush()
    db.session.rollback()


def test_ten_people_booking_the_same_hour_at_once_get_one_room(app, db, room):
    from server.core.db import writing
    from server.core.errors import DomainError
    from server.extensions import db as ext_db
    from server.rooms import operations as rooms
    from server.rooms.models import Room, RoomBooking

    start = _next_weekday(14)
    room_id = room.id  # read here: the threads must not touch the test's own session
    barrier = threading.Barrier(10)
    outcomes = []

    def one(index: int):
        with app.app_context(), writing():
            barrier.wait()
            try:
                # Each a little different, all overlapping 14:30–15:00.
                rooms.book(ext_db.session.get(Room, room_id),
                           starts_at=start + timedelta(minutes=5 * (index % 6)),
                           ends_at=start + timedelta(hours=1),
                           purpose="读书分享会", attendees=5, contact_name=f"居民{index}",
                           phone=f"1390812{index:04d}")
                ext_db.session.commit()
                outcomes.append("booked")
            except DomainError as error:
                ext_db.session.rollback()
                outcomes.append(error.code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["room_taken"] * 9
    db.session.rollback()
    live = db.session.scalars(select(RoomBooking).where(RoomBooking.room_id == room_id)).all()
    assert len(live) == 1


def test_a_resident_books_from_the_poster_and_the_unit_decides(client, db, room,
                                                              admin_session):
    start = _next_weekday(9, 30)
    url = f"/rooms/{room.id}/book"
    token = form_token(client, url)
    data = {"csrf_token": token, "day": start.date().isoformat(), "starts": "09:30",
            "ends": "11:00", "purpose": "老年智能手机课", "attendees": "20",
            "contact_name": "陈玉梅", "phone": "13908121002"}
    done = client.post(url, data=data)
    assert done.status_code == 302, done.get_data(as_text=True)
    receipt = done.headers["Location"]
    assert "等待单位审核" in client.get(receipt).get_data(as_text=True)
    again = client.post(url, data={**data, "phone": "13908121003", "starts": "10:00"})
    assert again.status_code == 409 and "已被预约" in again.get_data(as_text=True)
    full = client.post(url, data={**data, "starts": "13:00", "ends": "14:00",
                                  "attendees": "31"})
    assert full.status_code == 400 and "最多容纳 30 人" in full.get_data(as_text=True)

    from server.rooms.models import RoomBooking

    db.session.rollback()
    booking = db.session.scalar(select(RoomBooking))
    admin_session()
    listing = client.get("/admin/rooms/").get_data(as_text=True)
    assert "老年智能手机课" in listing and "139****1002" in listing
    token = form_token(client, "/admin/rooms/")
    assert client.post(f"/admin/rooms/bookings/{booking.id}/approve",
                       data={"csrf_token": token, "reason": ""}).status_code == 302
    assert "预约成功" in client.get(receipt).get_data(as_text=True)
    cancel = client.post(receipt + "/cancel",
                         data={"csrf_token": form_token(client, receipt)})
    assert cancel.status_code == 302 and "已取消" in client.get(receipt).get_data(as_text=True)
    freed = client.post(url, data={**data, "csrf_token": form_token(client, url),
                                   "phone": "13908121004"})
    assert freed.status_code == 302  # the cancelled booking holds nothing
    export = client.get("/admin/rooms/export.csv").data.decode("utf-8-sig")
    assert export.count("老年智能手机课") == 2


def test_the_rooms_calendar_parses_back_without_who_booked(client, db, room):
    start = _next_weekday(9)
    booking = _book(room, start)
    db.session.commit()
    answer = client.get(f"/calendar/room/{room.id}.ics")
    calendar = icalendar.Calendar.from_ical(answer.data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == start and str(event["STATUS"]) == "TENTATIVE"
    assert str(event["UID"]) == f"room-booking-{booking.id}@wenming"
    assert "13908121001" not in answer.get_data(as_text=True)
    assert "刘建华" not in answer.get_data(as_text=True)
