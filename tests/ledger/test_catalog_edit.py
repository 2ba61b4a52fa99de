"""Editing a reward of the redemption catalog in the dashboard: price, stock, name; scoped to
the admin's subtree; a bad value is refused with the field named and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.ledger.models import Item
from tests.conftest import csrf_token_in


def _form(item, **changes):
    return {"name": item.name, "kind": item.kind, "description": item.description,
            "cost_points": str(item.cost_points),
            "stock": "" if item.stock is None else str(item.stock), **changes}


def test_a_station_admin_changes_price_and_stock(client, db, network, make_item,
                                                 make_volunteer, create_admin, login):
    from server.ledger import catalog
    from server.ledger import operations as ledger

    item = make_item(cost=5, stock=3, site=network["east_station"], name="食用油")
    person = make_volunteer(site=network["east_station"])
    ledger.adjust(person, 20, "补发", actor="test")
    redemption = catalog.redeem(person, item, 1, actor="test")
    db.session.commit()
    item_id, redeemed_points = item.id, redemption.points
    login(create_admin("station_admin", network["east_station"], "station"))
    listing = client.get(f"/admin/ledger/catalog?site_id={network['east_station'].id}")
    assert f"/admin/ledger/items/{item_id}/edit" in listing.get_data(as_text=True)
    page = client.get(f"/admin/ledger/items/{item_id}/edit").get_data(as_text=True)
    assert "编辑兑换物品" in page and 'value="食用油"' in page and 'value="2"' in page
    saved = client.post(f"/admin/ledger/items/{item_id}/edit", data=_form(
        item, csrf_token=csrf_token_in(page), cost_points="8", stock="", name="食用油 5L"))
    assert saved.status_code == 302
    db.session.rollback()
    item = db.session.get(Item, item_id)
    assert (item.name, item.cost_points, item.stock, item.is_active) == ("食用油 5L", 8, None,
                                                                         True)
    assert db.session.get(type(redemption), redemption.id).points == redeemed_points
    entry = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "ledger.item", AuditEvent.target_id == str(item_id))).one()
    assert entry.details["cost"] == 8 and entry.actor == "station"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("cost_points", "0", "必须是 1 到 100000 之间的整数"),
    ("cost_points", "十", "必须是 1 到 100000 之间的整数"),
    ("cost_points", "9" * 40, "必须是 1 到 100000 之间的整数"),
    ("stock", "-1", "必须是 0 到 1000000 之间的整数"),
    ("name", " ", "请填写项目名称"),
    ("kind", "gift", "未知的项目类别"),
])
def test_bad_values_are_refused_with_the_field_named(client, db, network, make_item,
                                                     create_admin, login, field, value, words):
    item = make_item(cost=5, stock=3, site=network["east_station"])
    item_id = item.id
    login(create_admin("station_admin", network["east_station"], "station"))
    token = csrf_token_in(client.get(f"/admin/ledger/items/{item_id}/edit").get_data(as_text=True))
    refused = client.post(f"/admin/ledger/items/{item_id}/edit",
                          data=_form(item, csrf_token=token, **{field: value}))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400, html[:300]
    assert words in html and 'aria-invalid="true"' in html
    db.session.rollback()
    assert (db.session.get(Item, item_id).cost_points, db.session.get(Item, item_id).stock) == (
        5, 3)


def test_a_duplicate_name_is_refused(client, db, network, make_item, create_admin, login):
    make_item(site=network["east_station"], name="大米")
    item = make_item(site=network["east_station"], name="面粉")
    login(create_admin("station_admin", network["east_station"], "station"))
    token = csrf_token_in(client.get(f"/admin/ledger/items/{item.id}/edit").get_data(as_text=True))
    refused = client.post(f"/admin/ledger/items/{item.id}/edit",
                          data=_form(item, csrf_token=token, name="大米"))
    assert refused.status_code == 409 and "本站点已有同名项目" in refused.get_data(as_text=True)


def test_another_towns_reward_is_answered_as_missing(client, db, network, make_item,
                                                    create_admin, login):
    west = make_item(site=network["west_station"], name="西村大米")
    token = login(create_admin("institute_admin", network["east"], "east"))
    assert client.get(f"/admin/ledger/items/{west.id}/edit").status_code == 404
    assert client.post(f"/admin/ledger/items/{west.id}/edit", data=_form(
        west, csrf_token=token, cost_points="1")).status_code == 404
    db.session.rollback()
    assert db.session.get(Item, west.id).cost_points == 5
