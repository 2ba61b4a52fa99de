"""Orders with their ratings exported from the dispatch board: the board's filters, masked as
on the page, in the admin's scope, audited, CSV (with a BOM) and XLSX alike."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.orders import operations as ops


def _csv(client, url):
    response = client.get(url, buffered=True)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Disposition"] == 'attachment; filename="orders.csv"'
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens Chinese text right
    return list(csv.reader(io.StringIO(text[1:])))


def _rated(db, order, volunteer, stars, comment, tags=None):
    order = db.session.merge(order)
    ops.accept(order, db.session.merge(volunteer))
    ops.complete(order, via="resident", actor="resident")
    ops.rate(order, stars=stars, comment=comment, tags=tags)
    db.session.commit()
    return order


def test_orders_export_with_ratings_and_the_boards_filters(client, login, create_admin, db,
                                                          network, place, teams):
    rated = _rated(db, place(phone="13811112222"), teams["member"], 4, "很耐心",
                   tags=["准时", "热情 \"周到\""])
    waiting = place()
    west = place(item="west", site="west_station")
    login(create_admin("institute_admin", network["east"]))
    board = client.get("/admin/orders/").get_data(as_text=True)
    rows = _csv(client, "/admin/orders/?format=csv")
    header, body = rows[0], rows[1:]
    assert header[0] == "订单号" and "星级" in header and "评价内容" in header
    numbers = [r[0] for r in body]
    assert sorted(numbers) == sorted([rated.number, waiting.number])  # the west is not ours
    assert west.number not in numbers
    for number in numbers:
        assert number in board  # every exported order is on the board
    line = dict(zip(header, body[numbers.index(rated.number)], strict=True))
    assert line["星级"] == "4" and line["评价内容"] == "很耐心" and line["状态"] == "已评价"
    assert line["评价标签"] == '准时、热情 "周到"'  # read as JSON text, decoded when not "[]"
    assert line["群众电话"] == "138****2222"  # masked as the order page shows it
    assert line["志愿者"] == "李*愿" and line["服务项目"] == "助老陪护"
    # The board's filters: a status, and a period of placing.
    assert waiting.status != "rated"
    assert [r[0] for r in _csv(client, f"/admin/orders/?status={waiting.status}&format=csv")
            [1:]] == [waiting.number]
    assert _csv(client, "/admin/orders/?from=2000-01-01&to=2000-01-31&format=csv")[1:] == []
    sheet = load_workbook(io.BytesIO(client.get("/admin/orders/?format=xlsx",
                                                buffered=True).get_data()), read_only=True)
    assert [[("" if v is None else str(v)) for v in r]
            for r in sheet.active.iter_rows(values_only=True)] == rows
    db.session.rollback()
    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.orders")
                                 .order_by(AuditEvent.id)).all()
    assert [e.details["format"] for e in entries] == ["csv", "csv", "csv", "xlsx"]
    assert entries[1].details["filters"] == {"status": waiting.status}
    assert client.get("/admin/orders/?format=pdf").status_code == 400


def _two_orders(db, place, teams):
    mine = _rated(db, place(phone="13811113333"), teams["member"], 5, "")
    place(item="film", site="east")  # at the institute, above the station
    return mine


def test_a_station_admin_exports_its_station_masked(client, login, create_admin, db,
                                                    network, place, teams):
    mine = _two_orders(db, place, teams)
    login(create_admin("station_admin", network["east_station"]))
    rows = _csv(client, "/admin/orders/?format=csv&full=1")
    assert [r[0] for r in rows[1:]] == [mine.number]
    assert "13811113333" not in str(rows)  # full=1 is the district's alone


def test_the_district_may_export_full_records(client, login, create_admin, db, network,
                                              place, teams):
    _two_orders(db, place, teams)
    login(create_admin("district_admin", network["center"]))
    full = _csv(client, "/admin/orders/?format=csv&full=1")
    assert len(full) == 3 and "13811113333" in str(full) and "李志愿" in str(full)
