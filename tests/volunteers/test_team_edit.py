"""Editing a team in the dashboard: rename, describe, move to another unit it serves,
deactivate (asked first) and reactivate; only the admins of the team's unit, the general team
fixed at the center; every refusal in words, nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.volunteers.models import Team
from tests.conftest import csrf_token_in


@pytest.fixture
def town_team(db, general, network):
    from server.volunteers import teams

    team = teams.create_team("东镇理论宣讲队", network["east"], description="每周三")
    db.session.commit()
    return team


def _edit(client, team_id, **fields):
    page = client.get(f"/admin/teams/{team_id}/edit")
    assert page.status_code == 200
    token = csrf_token_in(page.get_data(as_text=True))
    return client.post(f"/admin/teams/{team_id}/edit", data={"csrf_token": token, **fields})


def test_an_institute_admin_renames_and_moves_its_team(client, db, network, east_admin,
                                                       town_team, login):
    team_id = town_team.id
    login(east_admin)
    assert "编辑队伍" in client.get(f"/admin/teams/{team_id}").get_data(as_text=True)
    saved = _edit(client, team_id, name="东村理论宣讲队", description="每周三下午",
                  site_id=str(network["east_station"].id))
    assert saved.status_code == 302
    db.session.rollback()
    team = db.session.get(Team, team_id)
    assert (team.name, team.description, team.site_id) == (
        "东村理论宣讲队", "每周三下午", network["east_station"].id)
    entry = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "team.update", AuditEvent.target_id == str(team_id))).one()
    assert entry.details["name"] == ["东镇理论宣讲队", "东村理论宣讲队"]
    assert entry.details["site_id"] == [network["east"].id, network["east_station"].id]


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"name": ""}, 400, "请填写队伍名称"),
    ({"name": "队" * 65}, 400, "最多 64"),
    ({"name": "测试区志愿服务总队"}, 409, "已有同名队伍"),
    ({"site_id": "abc"}, 400, "请选择队伍服务的阵地"),
    ({"site_id": "99999999999999999999"}, 400, "请选择队伍服务的阵地"),
])
def test_bad_fields_are_refused_in_words(client, db, network, east_admin, town_team, login,
                                         fields, status, words):
    team_id = town_team.id
    login(east_admin)
    refused = _edit(client, team_id, **{"name": "新名字", "description": "",
                                        "site_id": str(network["east"].id), **fields})
    html = refused.get_data(as_text=True)
    assert refused.status_code == status, html[:300]
    assert words in html and 'aria-invalid="true"' in html
    db.session.rollback()
    assert db.session.get(Team, team_id).name == "东镇理论宣讲队"


def test_a_team_moves_only_within_the_admins_subtree(client, db, network, east_admin,
                                                     town_team, login):
    team_id = town_team.id
    login(east_admin)
    refused = _edit(client, team_id, name="东镇理论宣讲队", description="",
                    site_id=str(network["west_station"].id))
    assert refused.status_code == 400
    db.session.rollback()
    assert db.session.get(Team, team_id).site_id == network["east"].id


def test_only_the_teams_unit_edits_it(client, db, network, create_admin, general, town_team,
                                      branch, login):
    token = login(create_admin("station_admin", network["east_station"], "station"))
    for team in (town_team, branch, general):  # the town's, the center's: above the station
        assert client.get(f"/admin/teams/{team.id}/edit").status_code == 404
        assert client.post(f"/admin/teams/{team.id}/deactivate",
                           data={"csrf_token": token, "confirmed": "1"}).status_code == 404
    assert client.get("/admin/teams/999999/edit").status_code == 404
    db.session.rollback()
    assert db.session.get(Team, town_team.id).is_active


def test_deactivate_asks_first_then_the_team_is_named_nowhere(client, db, network, east_admin,
                                                               town_team, login):
    from server.volunteers import teams

    team_id = town_team.id
    login(east_admin)
    token = csrf_token_in(client.get(f"/admin/teams/{team_id}").get_data(as_text=True))
    asked = client.post(f"/admin/teams/{team_id}/deactivate", data={"csrf_token": token})
    assert asked.status_code == 200 and "确定停用队伍" in asked.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Team, team_id).is_active  # nothing happened before the answer
    done = client.post(f"/admin/teams/{team_id}/deactivate",
                       data={"csrf_token": token, "confirmed": "1"})
    assert done.status_code == 302
    db.session.rollback()
    assert not db.session.get(Team, team_id).is_active
    assert team_id not in [t.id for t in teams.usable_by(network["east_station"])]
    client.post(f"/admin/teams/{team_id}/activate", data={"csrf_token": token})
    db.session.rollback()
    assert team_id in [t.id for t in teams.usable_by(network["east_station"])]
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "team", AuditEvent.target_id == str(team_id),
        AuditEvent.action.in_(("team.deactivate", "team.activate"))).order_by(AuditEvent.id))
    assert list(actions) == ["team.deactivate", "team.activate"]


def test_the_general_team_stays(client, db, network, district_admin, general, login):
    from server.volunteers import teams

    token = login(district_admin)
    page = client.get(f"/admin/teams/{general.id}").get_data(as_text=True)
    assert "停用队伍" not in page
    refused = client.post(f"/admin/teams/{general.id}/deactivate",
                          data={"csrf_token": token, "confirmed": "1"}, follow_redirects=True)
    assert "总队不能停用" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Team, general.id).is_active
    with pytest.raises(teams.ValidationError):
        teams.update_team(general, name=general.name, site=network["east"])
    db.session.rollback()
