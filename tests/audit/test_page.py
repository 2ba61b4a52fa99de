"""The audit log page: scoped to the admin's subtree, filtered, paged, exported (and the
export audited)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from server.core import audit
from server.core.db import writing


def _entries(db, network):
    with writing():
        for i in range(3):
            audit.record("site.update", network["east_station"], actor="东站管理员", n=i)
        audit.record("site.update", network["west_station"], actor="西站管理员")
        audit.record("key.rotate", actor="区管理员")  # no site: the district's
        db.session.commit()


def _export(client, url):
    """An export as the browser gets it; buffered, so the streamed body is read while the
    request is still open, as a WSGI server reads it."""
    response = client.get(url, buffered=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _rows(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_a_station_admin_reads_only_its_station(client, login, create_admin, network, db):
    _entries(db, network)
    login(create_admin("station_admin", network["east_station"]))
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert page.count("东站管理员") == 3 and "西站管理员" not in page and "区管理员" not in page
    page = client.get("/admin/audit/?action=site.update").get_data(as_text=True)
    assert "3 in all" in page or "共 3 条" in page
    assert client.get(f"/admin/audit/?site={network['west_station'].id}").status_code == 404


def test_an_institute_admin_reads_its_institute(client, login, create_admin, network, db):
    _entries(db, network)
    login(create_admin("institute_admin", network["west"]))
    rows = _rows(_export(client, "/admin/audit/?format=csv&action=site.update"))
    assert [r[3] for r in rows[1:]] == ["西站管理员"]


def test_the_district_reads_all_and_filters(client, login, create_admin, network, db):
    _entries(db, network)
    login(create_admin("district_admin", network["center"]))
    page = client.get("/admin/audit/?action=key.rotate").get_data(as_text=True)
    assert "区管理员" in page and "东站管理员" not in page
    page = client.get(f"/admin/audit/?site={network['east'].id}&actor=东站").get_data(as_text=True)
    assert page.count("东站管理员") == 3
    target = f"site:{network['west_station'].id}"
    assert "西站管理员" in client.get(f"/admin/audit/?target={target}").get_data(as_text=True)
    assert client.get("/admin/audit/?from=2026-13-01").status_code == 400
    assert client.get("/admin/audit/?from=2026-12-02&to=2026-12-01").status_code == 400
    assert client.get("/admin/audit/?format=pdf").status_code == 400


def test_pages_and_exports_match(client, login, create_admin, network, db, runner):
    with writing():
        for i in range(120):
            audit.record("site.update", network["east_station"], actor=f"a{i:03d}")
        db.session.commit()
    login(create_admin("station_admin", network["east_station"]))
    first = client.get("/admin/audit/?actor=a&action=site.update").get_data(as_text=True)
    assert "page 1 of 3" in first or "第 1 / 3 页" in first
    third = client.get("/admin/audit/?actor=a&action=site.update&page=3").get_data(as_text=True)
    assert "a019" in third and "a020" not in third  # newest first: the oldest 20 on page 3
    rows = _rows(_export(client, "/admin/audit/?actor=a&action=site.update&format=csv"))
    assert len(rows) == 121
    assert [r[3] for r in rows[1:]] == [f"a{i:03d}" for i in reversed(range(120))]
    response = _export(client, "/admin/audit/?actor=a&action=site.update&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [v[3] for v in values[1:]] == [r[3] for r in rows[1:]]
    assert [v[10] for v in values[1:]] == [int(r[10]) for r in rows[1:]]  # chain positions
    # Both exports are in the log, with their filters, and the chain holds.
    exports = _rows(_export(client, "/admin/audit/?action=export.audit&format=csv"))
    wanted = '{"filters": {"action": "site.update", "actor": "a"}, "format": "%s", ' \
        '"full_records": false}'
    assert [(r[2], r[9]) for r in exports[2:4]] == [("export.audit", wanted % "xlsx"),
                                                    ("export.audit", wanted % "csv")]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
