"""The volunteers list exported with its filters, masked as on the page, in scope."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from server.volunteers.operations import create_volunteer


def _csv(client, url):
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8")[1:])))


def test_the_export_is_the_selection_of_the_page(client, login, create_admin, network, db):
    create_volunteer(name="王小明", phone="13800000001", site=network["east_station"])
    create_volunteer(name="王大明", phone="13800000002", site=network["library"])
    create_volunteer(name="李西", phone="13800000003", site=network["west_station"])
    db.session.commit()
    login(create_admin("institute_admin", network["east"]))
    page = client.get("/admin/volunteers/?q=王").get_data(as_text=True)
    rows = _csv(client, "/admin/volunteers/?q=王&format=csv")
    assert sorted(r[1] for r in rows[1:]) == ["王大明", "王小明"]
    for row in rows[1:]:
        assert row[0] in page and row[2] in page  # the number, the phone masked as shown
    assert all(r[2] != "13800000001" for r in rows)
    assert _csv(client, "/admin/volunteers/?q=王&format=csv&full=1") == rows  # not district
    sheet = load_workbook(io.BytesIO(client.get("/admin/volunteers/?q=王&format=xlsx",
                                                buffered=True).get_data()), read_only=True)
    assert [list(map(str, r[:2])) for r in sheet.active.iter_rows(values_only=True)] == \
        [r[:2] for r in rows]
    assert len(_csv(client, "/admin/volunteers/?q=李&format=csv")) == 1  # west: out of scope
