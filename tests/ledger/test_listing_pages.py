"""The ledger and redemption lists: paged with the total (no silent cap), a date range,
scoped to the admin's volunteers, and their exports equal to the pages."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from server.core.timeutil import local
from server.ledger import catalog
from server.ledger import operations as ops
from server.ledger.models import Transfer


def _csv(client, url):
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_ledger_is_paged_scoped_and_exported(client, login, create_admin, network, db,
                                                 make_volunteer):
    east = make_volunteer("王东", site=network["library"])
    west = make_volunteer("李西", site=network["west_station"])
    for i in range(205):
        ops.adjust(east, 1, f"第{i}次", actor="test")
    ops.adjust(west, 7, "西", actor="test")
    db.session.commit()
    login(create_admin("station_admin", network["east_station"]))
    page = client.get("/admin/ledger/").get_data(as_text=True)
    assert "205 in all" in page or "共 205 条" in page
    assert "李西" not in page
    last = client.get("/admin/ledger/?page=5").get_data(as_text=True)
    assert "第0次" in last  # the first posting, past the old 200-row cap
    rows = _csv(client, "/admin/ledger/?format=csv")
    assert len(rows) == 206 and {r[6] for r in rows[1:]} == {"王东"}
    assert [r[9] for r in rows[1:4]] == ["第204次", "第203次", "第202次"]
    today = local(db.session.scalar(select(func.max(Transfer.created_at))))[:10]
    assert len(_csv(client, f"/admin/ledger/?format=csv&from={today}&to={today}")) == 206
    assert len(_csv(client, "/admin/ledger/?format=csv&to=2020-01-01")) == 1
    book = load_workbook(io.BytesIO(client.get("/admin/ledger/?format=xlsx", buffered=True)
                                    .get_data()), read_only=True).active
    width = len(rows[0])  # a row's empty cells at its end are not stored in XLSX
    assert [[("" if v is None else str(v)) for v in r] + [""] * (width - len(r))
            for r in book.iter_rows(values_only=True)] == rows


def test_redemptions_are_paged_and_exported(client, login, create_admin, network, db,
                                            make_volunteer, make_item):
    volunteer = make_volunteer("王东")
    ops.adjust(volunteer, 100, "start", actor="test")
    item = make_item(cost=1, name="毛巾")
    for _ in range(3):
        catalog.redeem(volunteer, item, 1, actor="test")
    db.session.commit()
    login(create_admin("institute_admin", network["east"]))
    page = client.get("/admin/ledger/redemptions").get_data(as_text=True)
    assert "3 in all" in page or "共 3 条" in page
    rows = _csv(client, "/admin/ledger/redemptions?format=csv")
    assert [(r[2], r[4], r[5]) for r in rows[1:]] == [("王东", "毛巾", "1")] * 3
    for row in rows[1:]:  # each row as the page shows it: number, time, volunteer, site
        assert f"<td>{row[0]}</td><td>{row[1]}</td><td>{row[2]} " in page
        assert row[3] in page and f"<td>{row[7]}</td>" in page
    book = load_workbook(io.BytesIO(client.get("/admin/ledger/redemptions?format=xlsx",
                                               buffered=True).get_data()), read_only=True)
    assert [[("" if v is None else str(v)) for v in r] + [""] * (len(rows[0]) - len(r))
            for r in book.active.iter_rows(values_only=True)] == rows


def test_redemptions_elsewhere_are_not_listed(client, login, create_admin, network, db,
                                              make_volunteer, make_item):
    volunteer = make_volunteer("王东")
    ops.adjust(volunteer, 100, "start", actor="test")
    catalog.redeem(volunteer, make_item(cost=1, name="毛巾"), 1, actor="test")
    db.session.commit()
    login(create_admin("institute_admin", network["west"]))
    page = client.get("/admin/ledger/redemptions").get_data(as_text=True)
    assert "0 in all" in page or "共 0 条" in page
    assert len(_csv(client, "/admin/ledger/redemptions?format=csv")) == 1
