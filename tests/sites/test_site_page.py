"""A site's page in the dashboard: its code and versions, its kiosks and their health, the
latest shifts and orders here and below, and the actions an admin takes there (print,
withdraw the code, revoke a kiosk); scoped like every site page."""

from __future__ import annotations

from datetime import timedelta

from server.codes import operations as codes
from server.core.timeutil import utcnow
from tests.conftest import csrf_token_in


def test_a_station_page_shows_its_code_kiosks_shifts_and_orders(client, db, network, place,
                                                               teams, enroll_kiosk,
                                                               create_admin, login):
    from server.shifts import operations as shifts

    station, library = network["east_station"], network["library"]
    admin = create_admin("station_admin", station, "station")
    code = codes.ensure_point_code(station)
    codes.rotate_point_code(station, "海报损坏")
    db.session.commit()
    kiosk = enroll_kiosk(library)
    began = utcnow() - timedelta(days=1)
    shifts.admin_entry(teams["member"], library, began, began + timedelta(hours=2), "补录",
                       actor=admin)
    db.session.commit()
    order = place("care", site="library")
    login(admin)
    page = client.get(f"/admin/sites/{station.id}").get_data(as_text=True)
    live = codes.point_code(station)
    assert live.short_code in page and f"v{live.version}" in page and "海报损坏" in page
    assert f"v{code.version}" in page  # the replaced version, in the history
    assert f"/admin/sites/{station.id}/poster.pdf?size=A4" in page
    assert f"/admin/sites/{station.id}/code/revoke" in page
    assert f"#{kiosk.id} 测试机" in page and f"/admin/kiosks/{kiosk.id}/revoke" in page
    assert teams["member"].number in page and "东村图书室" in page
    assert order.number in page and "助老陪护" in page
    assert f"/admin/shifts/?site={station.id}" in page
    # The print link works from here.
    pdf = client.get(f"/admin/sites/{station.id}/poster.pdf?size=A4")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_withdrawn_code_and_an_empty_site_say_so(client, db, network, create_admin, login):
    station = network["east_station"]
    codes.ensure_point_code(station)
    codes.revoke_point_code(station, "站点撤并")
    db.session.commit()
    login(create_admin("station_admin", station))
    page = client.get(f"/admin/sites/{station.id}").get_data(as_text=True)
    assert "作废" in page and "站点撤并" in page
    assert "/poster.pdf" not in page
    empty = client.get(f"/admin/sites/{network['library'].id}").get_data(as_text=True)
    assert "还没有" in empty


def test_withdraw_from_the_site_page_asks_first(client, db, network, create_admin, login):
    station = network["east_station"]
    codes.ensure_point_code(station)
    db.session.commit()
    login(create_admin("station_admin", station))
    page = client.get(f"/admin/sites/{station.id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_in(page), "reason": "站点撤并"}
    asked = client.post(f"/admin/sites/{station.id}/code/revoke", data=form)
    assert asked.status_code == 200 and "role=\"alertdialog\"" in asked.get_data(as_text=True)
    db.session.rollback()
    assert codes.point_code(station) is not None
    client.post(f"/admin/sites/{station.id}/code/revoke", data={**form, "confirmed": "1"})
    db.session.rollback()
    assert codes.point_code(station) is None


def test_another_towns_site_page_is_answered_as_missing(client, db, network, create_admin,
                                                       login):
    login(create_admin("institute_admin", network["east"]))
    assert client.get(f"/admin/sites/{network['west_station'].id}").status_code == 404
    assert client.get(f"/admin/sites/{network['east_station'].id}").status_code == 200
