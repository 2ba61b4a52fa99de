"""Which teams an admin may name: its own subtree's and those serving it from above; a team,
volunteer or site from a form outside that is refused as if it did not exist."""

from __future__ import annotations

import pytest

from server.orders.models import Order
from tests.conftest import csrf_token_in
from tests.fixtures.orders import form_token


@pytest.fixture
def more_teams(db, network, teams):
    from server.volunteers import teams as team_ops

    west = team_ops.create_team("西镇法律服务队", network["west"])
    district = team_ops.create_team("区应急救援志愿服务队", network["center"])
    team_ops.add_member(west, teams["outsider"])
    db.session.commit()
    return {"west": west, "district": district}


def _order(db, number):
    db.session.rollback()
    return db.session.scalar(db.select(Order).where(Order.number == number))


def test_dispatch_names_only_teams_that_serve_the_unit(client, db, network, create_admin,
                                                      login, place, teams, more_teams):
    order = place()
    number = order.number
    api_token = login(create_admin("institute_admin", network["east"]))
    page = client.get(f"/admin/orders/{number}").get_data(as_text=True)
    assert "区应急救援志愿服务队" in page and "西镇法律服务队" not in page
    token = csrf_token_in(page)
    url = f"/admin/orders/{number}/dispatch"
    for field in ({"team_id": str(more_teams["west"].id)}, {"team_id": "999999"},
                  {"volunteer_number": teams["outsider"].number},
                  {"volunteer_number": "ZH2099999999"}):
        refused = client.post(url, data={"csrf_token": token, **field}, follow_redirects=True)
        assert "没有这" in refused.get_data(as_text=True), field
        assert _order(db, number).team_id == teams["branch"].id  # still the rule's team
    api = client.post(f"/api/v1/orders/{number}/dispatch", headers={"X-CSRFToken": api_token},
                      json={"team_id": more_teams["west"].id})
    missing = client.post(f"/api/v1/orders/{number}/dispatch",
                          headers={"X-CSRFToken": api_token}, json={"team_id": 999999})
    assert api.status_code == missing.status_code == 400
    assert api.get_json() == missing.get_json()
    # A district team serves every town: an institute may dispatch to it.
    client.post(url, data={"csrf_token": token, "team_id": str(more_teams["district"].id)})
    assert _order(db, number).team_id == more_teams["district"].id
    # A volunteer from elsewhere is named through the team they belong to.
    client.post(url, data={"csrf_token": token, "team_id": str(more_teams["district"].id),
                           "volunteer_number": teams["outsider"].number})
    assert _order(db, number).volunteer_id is None


def test_menu_activity_and_project_teams_are_scoped(client, db, network, create_admin, login,
                                                    teams, more_teams):
    from server.activities.models import Activity
    from server.orders.models import ServiceItem
    from server.projects.models import FeaturedProject

    login(create_admin("station_admin", network["east_station"]))
    site = network["east_station"].id
    token = form_token(client, f"/admin/orders/menu?site_id={site}")
    item = {"csrf_token": token, "name": "上门理发", "description": "", "expected_minutes": "60",
            "content_area": "培育践行主流价值", "brand": "情暖万家"}
    client.post(f"/admin/orders/menu?site_id={site}",
                data={**item, "team_id": str(more_teams["west"].id)})
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceItem)) == 0
    client.post(f"/admin/orders/menu?site_id={site}",
                data={**item, "team_id": str(teams["branch"].id)})  # the town's team serves it
    db.session.rollback()
    assert db.session.scalar(db.select(ServiceItem.team_id)) == teams["branch"].id

    activity = {"csrf_token": token, "title": "读书会", "site_id": str(site),
                "brand": "文润天府", "content_area": "丰富活跃文化生活",
                "starts_at": "2030-05-03T09:00", "ends_at": "2030-05-03T11:00",
                "team_id": str(more_teams["west"].id)}
    refused = client.post("/admin/activities/new", data=activity)
    assert refused.status_code == 404 and "没有这支队伍" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 0

    project = {"csrf_token": token, "name": "邻里互助", "site_id": str(site),
               "brand": "情暖万家", "content_area": "培育践行主流价值", "description": "",
               "team_id": str(more_teams["west"].id)}
    refused = client.post("/admin/projects/", data=project)
    assert refused.status_code == 404
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(FeaturedProject)) == 0
