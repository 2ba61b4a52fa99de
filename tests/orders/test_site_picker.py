"""The service menu and the order rules are shown for a site chosen by name among one's
subtree; a site elsewhere (or an id no site can have) is missing, never a 5xx."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_in
from tests.pages import site_picker_options

ADMINS = [("station_admin", "east_station"), ("institute_admin", "east")]
ITEM = {"name": "上门理发", "description": "", "expected_minutes": "60",
        "content_area": "培育践行主流价值", "brand": "情暖万家", "team_id": ""}


def _offers_my_subtree(page: str) -> None:
    offered = site_picker_options(page, "site_id")
    assert "东村新时代文明实践站" in offered and "东村图书室" in offered
    assert "西村新时代文明实践站" not in offered


@pytest.mark.parametrize(("role", "home"), ADMINS)
def test_the_menu_of_a_site_picked_by_name(client, db, login, create_admin, network, role, home):
    from server.orders.models import ServiceItem

    login(create_admin(role, network[home]))
    page = client.get("/admin/orders/menu").get_data(as_text=True)
    _offers_my_subtree(page)
    token = csrf_token_in(page)
    library = network["library"].id
    shown = client.get(f"/admin/orders/menu?site_id={library}").get_data(as_text=True)
    assert "东村图书室" in shown.split("<h1>")[1].split("</h1>")[0]
    assert f'value="{library}" selected' in shown
    added = client.post(f"/admin/orders/menu?site_id={library}",
                        data={"csrf_token": token, **ITEM})
    assert added.status_code == 302
    db.session.rollback()
    assert db.session.scalars(select(ServiceItem.site_id)).all() == [library]
    for value in (network["west_station"].id, "9" * 30):
        assert client.get(f"/admin/orders/menu?site_id={value}").status_code == 404
        refused = client.post(f"/admin/orders/menu?site_id={value}",
                              data={"csrf_token": token, **ITEM})
        assert refused.status_code == 404
    db.session.rollback()
    assert len(db.session.scalars(select(ServiceItem.id)).all()) == 1


@pytest.mark.parametrize(("role", "home"), ADMINS)
def test_the_order_rules_of_a_site_picked_by_name(client, db, login, create_admin, network,
                                                  role, home):
    from server.orders.models import OrderPolicy

    login(create_admin(role, network[home]))
    page = client.get("/admin/orders/policy").get_data(as_text=True)
    _offers_my_subtree(page)
    token = csrf_token_in(page)
    station = network["east_station"].id
    rules = {"csrf_token": token, "pool_enabled": "y", "accept_timeout_minutes": "30"}
    assert client.post(f"/admin/orders/policy?site_id={station}", data=rules).status_code == 302
    db.session.rollback()
    assert db.session.scalars(select(OrderPolicy.site_id)).all() == [station]
    west = network["west_station"].id
    assert client.get(f"/admin/orders/policy?site_id={west}").status_code == 404
    assert client.post(f"/admin/orders/policy?site_id={west}", data=rules).status_code == 404
