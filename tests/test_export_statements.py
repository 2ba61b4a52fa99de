"""Every list's export runs the same statements however many rows it holds: its rows come
from one streamed select, never a query per row (shifts, ledger, redemptions, volunteers,
orders, hours, audit)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from server.ledger import catalog
from server.ledger import operations as ledger
from server.ledger.models import Item
from server.shifts.models import Shift
from server.volunteers.models import Volunteer

DAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SPAN = "from=2026-03-01&to=2026-03-31"
EXPORTS = [f"/admin/shifts/?{SPAN}", "/admin/ledger/", "/admin/ledger/redemptions",
           "/admin/volunteers/", "/admin/orders/",
           f"/admin/reports/?period=custom&{SPAN}", "/admin/audit/"]


def _add(db, network, first: int, count: int, item: Item) -> None:
    sites = [network["library"], network["east_station"], network["west_station"]]
    for n in range(first, first + count):
        volunteer = Volunteer(number=f"51081{n:06d}", name=f"张{n}明", phone=f"138{n:08d}",
                              home_site_id=sites[n % 3].id, skills=["急救"])
        db.session.add(volunteer)
        db.session.flush()
        start = DAY + timedelta(hours=n)
        db.session.add(Shift(volunteer_id=volunteer.id, site_id=sites[n % 3].id,
                             started_at=start, ended_at=start + timedelta(hours=1),
                             start_method="kiosk", end_method="kiosk", is_verified=True,
                             credited_minutes=60, review="none", flags=["moved"]))
        ledger.adjust(volunteer, 10, f"第{n}次", actor="test")
        catalog.redeem(volunteer, item, 1, actor="test")
    db.session.commit()


def _exported(client, count_statements, url: str) -> tuple[int, list[str]]:
    with count_statements() as seen:
        response = client.get(url + ("&" if "?" in url else "?") + "format=csv", buffered=True)
    assert response.status_code == 200, url
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8")[1:])))
    return len(rows) - 1, seen


def test_an_export_runs_the_same_statements_for_more_rows(client, login, create_admin, db,
                                                          network, count_statements):
    item = Item(site_id=network["library"].id, name="毛巾", kind="goods", cost_points=1)
    db.session.add(item)
    _add(db, network, 1, 3, item)
    login(create_admin("district_admin", network["center"]))
    before = {url: _exported(client, count_statements, url) for url in EXPORTS}
    db.session.rollback()  # the test's read transaction predates the exports' audit entries
    _add(db, network, 4, 9, item)
    after = {url: _exported(client, count_statements, url) for url in EXPORTS}
    for url in EXPORTS:
        (rows, seen), (more, seen_more) = before[url], after[url]
        assert len(seen_more) == len(seen), (url, seen, seen_more)
        if "orders" not in url:  # no orders were placed
            assert more > rows, url
