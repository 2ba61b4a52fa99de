"""Editing the service menu in the dashboard: edit a line, retire it and offer it again,
scoped to the admin's subtree, refused with the field named, audited with before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.orders.models import ServiceItem
from tests.conftest import csrf_token_in


def _form(item, **changes):
    data = {"name": item.name, "description": item.description,
            "content_area": item.content_area, "brand": item.brand,
            "team_id": str(item.team_id or ""), "expected_minutes": str(item.expected_minutes)}
    return {**data, **changes}


def _audit(db, item_id, action):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.target_type == "service_item",
        AuditEvent.target_id == str(item_id)).order_by(AuditEvent.id)).all()


def test_an_institute_admin_edits_a_line_of_its_menu(client, db, network, teams, menu,
                                                     create_admin, login, place):
    care = menu["care"]
    care_id = care.id
    order = place("care")  # placed before the edit: it keeps its item and its history
    login(create_admin("institute_admin", network["east"], "east"))
    page = client.get(f"/admin/orders/menu?site_id={network['east'].id}").get_data(as_text=True)
    assert f"/admin/orders/menu/{care_id}/edit" in page
    page = client.get(f"/admin/orders/menu/{care_id}/edit").get_data(as_text=True)
    assert "编辑服务项目" in page and 'value="助老陪护"' in page
    # The team choices are those that serve the line's site: the general team and the
    # town's own, never another town's.
    assert teams["general"].name in page and teams["branch"].name in page
    token = csrf_token_in(page)
    saved = client.post(f"/admin/orders/menu/{care_id}/edit", data=_form(
        care, csrf_token=token, name="助老陪护（上门）", expected_minutes="90", team_id=""))
    assert saved.status_code == 302
    db.session.rollback()
    item = db.session.get(ServiceItem, care_id)
    assert (item.name, item.expected_minutes, item.team_id) == ("助老陪护（上门）", 90, None)
    entry, = _audit(db, care_id, "order_item.update")
    assert entry.details["name"] == ["助老陪护", "助老陪护（上门）"]
    assert entry.details["expected_minutes"] == [60, 90] and entry.actor == "east"
    assert order.item_id == care_id


@pytest.mark.parametrize(("field", "value", "words"), [
    ("expected_minutes", "abc", "预计时长须为 1 到 1440 分钟"),
    ("expected_minutes", "0", "预计时长须为 1 到 1440 分钟"),
    ("expected_minutes", "99999999999999999999999", "预计时长须为 1 到 1440 分钟"),
    ("name", "", "名称"),
    ("name", "长" * 65, "名称"),
    ("content_area", "不存在的内容", "请从五大内容中选择一项"),
    ("brand", "x", "请从五大项目品牌中选择一项"),
])
def test_bad_fields_are_refused_with_the_field_named(client, db, network, menu, create_admin,
                                                     login, field, value, words):
    care = menu["care"]
    care_id, before = care.id, (care.name, care.expected_minutes)
    login(create_admin("institute_admin", network["east"], "east"))
    token = csrf_token_in(client.get(f"/admin/orders/menu/{care_id}/edit").get_data(as_text=True))
    refused = client.post(f"/admin/orders/menu/{care_id}/edit",
                          data=_form(care, csrf_token=token, **{field: value}))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert words in html and f'id="{field}" ' in html and 'aria-invalid="true"' in html
    db.session.rollback()
    item = db.session.get(ServiceItem, care_id)
    assert (item.name, item.expected_minutes) == before


def test_a_team_of_another_town_is_refused(client, db, network, teams, menu, create_admin,
                                           login):
    from server.volunteers import teams as team_ops

    west_team = team_ops.create_team("西镇服务队", network["west"])
    db.session.commit()
    care = menu["care"]
    care_id, team_before = care.id, care.team_id
    login(create_admin("district_admin", network["center"], "district"))
    token = csrf_token_in(client.get(f"/admin/orders/menu/{care_id}/edit").get_data(as_text=True))
    refused = client.post(f"/admin/orders/menu/{care_id}/edit",
                          data=_form(care, csrf_token=token, team_id=str(west_team.id)))
    assert refused.status_code == 404 and "没有这支队伍" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(ServiceItem, care_id).team_id == team_before


def test_retire_and_offer_again(client, db, network, menu, create_admin, login):
    care_id = menu["care"].id
    institute = create_admin("institute_admin", network["east"], "east")
    login(create_admin("station_admin", network["east_station"], "station"))
    # The line belongs to the institute, above the station: answered as missing.
    assert client.get(f"/admin/orders/menu/{care_id}/edit").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token_in(
        client.get("/admin/").get_data(as_text=True))})
    login(institute)
    token = csrf_token_in(client.get(f"/admin/orders/menu?site_id={network['east'].id}")
                          .get_data(as_text=True))
    for _ in range(2):  # a repeat changes nothing
        assert client.post(f"/admin/orders/menu/{care_id}/retire",
                           data={"csrf_token": token}).status_code == 302
    db.session.rollback()
    assert not db.session.get(ServiceItem, care_id).is_active
    assert len(_audit(db, care_id, "order_item.retire")) == 1
    offered = client.get(f"/api/v1/orders/menu?site_id={network['library'].id}").get_json()
    assert care_id not in [entry["id"] for entry in offered["items"]]
    client.post(f"/admin/orders/menu/{care_id}/activate", data={"csrf_token": token})
    db.session.rollback()
    assert db.session.get(ServiceItem, care_id).is_active
    offered = client.get(f"/api/v1/orders/menu?site_id={network['library'].id}").get_json()
    assert care_id in [entry["id"] for entry in offered["items"]]


def test_another_towns_line_is_answered_as_missing(client, db, network, menu, create_admin,
                                                   login):
    west_id = menu["west"].id
    token = login(create_admin("institute_admin", network["east"], "east"))
    assert client.get(f"/admin/orders/menu/{west_id}/edit").status_code == 404
    assert client.get("/admin/orders/menu/999999/edit").status_code == 404
    assert client.post(f"/admin/orders/menu/{west_id}/retire",
                       data={"csrf_token": token}).status_code == 404
    db.session.rollback()
    assert db.session.get(ServiceItem, west_id).is_active
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused")).all()
    assert any(e.details.get("code") == "out_of_scope" for e in refused)
