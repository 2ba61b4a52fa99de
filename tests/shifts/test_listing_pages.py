"""The shifts list: every shift reachable through its pages (no silent cap), the total shown,
a date range, and its exports equal to the page with the page's masking and scope."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from server.shifts.operations import admin_entry
from server.volunteers.operations import create_volunteer

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in 昭化


def _shifts(db, network, count):
    east = create_volunteer(name="王小明", phone="13800000001", site=network["east_station"])
    west = create_volunteer(name="李大华", phone="13800000002", site=network["west_station"])
    for i in range(count):
        start = DAY + timedelta(days=i)
        admin_entry(east, network["east_station"], start, start + timedelta(hours=1),
                    "补录", actor="test")
    admin_entry(west, network["west_station"], DAY, DAY + timedelta(hours=2), "补录",
                actor="test")
    db.session.commit()
    return east, west


def _csv(client, url):
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_every_shift_is_on_a_page_with_the_total(client, login, create_admin, network, db):
    _shifts(db, network, 230)
    login(create_admin("station_admin", network["east_station"]))
    first = client.get("/admin/shifts/").get_data(as_text=True)
    assert "230 in all" in first or "共 230 条" in first
    last = client.get("/admin/shifts/?page=5").get_data(as_text=True)
    assert "2026-03-02 09:00" in last  # the oldest shift, beyond the old 200-row cap
    assert "王*明" in first and "李*华" not in first  # the west station is not this admin's


def test_the_date_range_filters_and_the_export_matches_the_page(client, login, create_admin,
                                                                network, db):
    _shifts(db, network, 10)
    login(create_admin("institute_admin", network["east"]))
    url = "/admin/shifts/?from=2026-03-03&to=2026-03-05"
    page = client.get(url).get_data(as_text=True)
    assert "3 in all" in page or "共 3 条" in page
    rows = _csv(client, url + "&format=csv")
    assert [r[3] for r in rows[1:]] == ["2026-03-05 09:00", "2026-03-04 09:00",
                                        "2026-03-03 09:00"]
    assert {r[1] for r in rows[1:]} == {"王*明"}  # masked, as on the page
    for row in rows[1:]:
        assert row[3] in page and row[2] in page
    assert _csv(client, url + "&format=csv&full=1")[1][1] == "王*明"  # not the district
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx", buffered=True)
                                     .get_data()), read_only=True).active
    assert [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)] \
        == rows
    assert client.get("/admin/shifts/?from=2026-03-09&to=2026-03-01").status_code == 400


def test_the_district_may_export_full_names(client, login, create_admin, network, db):
    _shifts(db, network, 1)
    login(create_admin("district_admin", network["center"]))
    rows = _csv(client, "/admin/shifts/?format=csv&full=1")
    assert sorted(r[1] for r in rows[1:]) == ["李大华", "王小明"]
    assert sorted(r[1] for r in _csv(client, "/admin/shifts/?format=csv")[1:]) == ["李*华",
                                                                                 "王*明"]
