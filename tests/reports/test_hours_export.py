"""Hours by volunteer and month, exported from the reports page: the page's subtree and
period, the page's counting (the figures add up to the page's), masked, audited."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.shifts.operations import admin_entry
from server.volunteers.operations import create_volunteer

SPRING = "period=custom&from=2026-03-01&to=2026-04-30"


def _fixture(db, network):
    """East: 王 60 + 120 minutes in March, 30 in April; 张 15 in March at the library;
    west: 李 30 in March."""
    wang = create_volunteer(name="王小明", phone="13800000001", site=network["east_station"])
    zhang = create_volunteer(name="张三丰", phone="13800000003", site=network["east_station"])
    li = create_volunteer(name="李大华", phone="13800000002", site=network["west_station"])
    day = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for volunteer, site, start, minutes in [
            (wang, "east_station", day, 60), (wang, "east_station", day + timedelta(days=1), 120),
            (wang, "east_station", day + timedelta(days=35), 30),
            (zhang, "library", day, 15), (li, "west_station", day, 30)]:
        admin_entry(volunteer, network[site], start, start + timedelta(minutes=minutes), "补录",
                    actor="test")
    db.session.commit()
    return wang, zhang, li


def _csv(client, url):
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="hours.csv"'
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _figure(page: str, label: str) -> str:
    """The value cell of a report table's row, as the page shows it."""
    row = page.split(f"<td>{label}</td><td>", 1)[1]
    return row.split("</td>", 1)[0]


def test_hours_by_volunteer_and_month_add_up_to_the_page(client, login, create_admin, db,
                                                        network):
    wang, zhang, _li = _fixture(db, network)
    login(create_admin("institute_admin", network["east"]))
    page = client.get(f"/admin/reports/?{SPRING}").get_data(as_text=True)
    assert "/admin/reports/?format=csv" in page.replace("&amp;", "&")  # the page links it
    rows = _csv(client, f"/admin/reports/?{SPRING}&format=csv")
    assert rows[0] == ["月份", "志愿者编号", "志愿者", "所属阵地", "签到次数", "分钟", "小时"]
    assert rows[1:] == sorted(rows[1:], key=lambda r: (r[0], r[1]))
    assert rows[1:] == [
        ["2026-03", wang.number, "王*明", "东村新时代文明实践站", "2", "180", "3.0"],
        ["2026-03", zhang.number, "张*丰", "东村新时代文明实践站", "1", "15", "0.25"],
        ["2026-04", wang.number, "王*明", "东村新时代文明实践站", "1", "30", "0.5"],
    ]  # 李 is in the west: not this institute's
    months, people = defaultdict(int), defaultdict(int)
    for month, number, _name, _home, _sign_ins, minutes, _hours in rows[1:]:
        months[month] += int(minutes)
        people[number] += int(minutes)
    for month, minutes in months.items():  # the page's hours by month
        assert _figure(page, month) == str(round(minutes / 60, 1))
    assert _figure(page, "王*明") == str(round(people[wang.number] / 60, 1))
    sheet = load_workbook(io.BytesIO(client.get(f"/admin/reports/?{SPRING}&format=xlsx",
                                                buffered=True).get_data()), read_only=True)
    sheet_rows = [list(r) for r in sheet.active.iter_rows(values_only=True)]
    assert [r[:4] for r in sheet_rows] == [r[:4] for r in rows]
    assert [[float(v) for v in r[4:]] for r in sheet_rows[1:]] == \
        [[float(v) for v in r[4:]] for r in rows[1:]]  # numbers in the sheet, not text
    db.session.rollback()
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.hours")
                               .order_by(AuditEvent.id.desc())).first()
    assert entry.details["format"] == "xlsx" and entry.details["filters"]["from"] == "2026-03-01"


def test_hours_export_is_scoped_and_masked(client, login, create_admin, db, network):
    wang, zhang, li = _fixture(db, network)
    login(create_admin("station_admin", network["west_station"]))
    rows = _csv(client, f"/admin/reports/?{SPRING}&format=csv&full=1")
    assert [r[1:3] for r in rows[1:]] == [[li.number, "李*华"]]  # full=1: not for a station
    assert client.get(f"/admin/reports/?{SPRING}&format=csv&site={network['east'].id}") \
        .status_code == 404


def test_the_district_may_export_full_names(client, login, create_admin, db, network):
    _fixture(db, network)
    login(create_admin("district_admin", network["center"]))
    full = _csv(client, f"/admin/reports/?{SPRING}&format=csv&full=1&site={network['east'].id}")
    assert {r[2] for r in full[1:]} == {"王小明", "张三丰"}
    assert client.get(f"/admin/reports/?{SPRING}&format=doc").status_code == 400
