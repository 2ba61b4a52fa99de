"""Dangerous dashboard actions ask first, on a page that works without JavaScript."""

from __future__ import annotations

from server.devices.models import Device
from tests.conftest import csrf_token_in


def test_revoking_a_kiosk_asks_first(client, db, network, create_admin, login, enroll_kiosk):
    kiosk = enroll_kiosk()
    device_id = kiosk.id
    login(create_admin("station_admin", network["east_station"]))
    page = client.get(f"/admin/sites/{network['library'].id}/kiosks").get_data(as_text=True)
    url = f"/admin/kiosks/{device_id}/revoke"
    asked = client.post(url, data={"csrf_token": csrf_token_in(page), "reason": "丢失"})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in text
    assert f'action="{url}"' in text and 'value="丢失"' in text
    db.session.rollback()
    assert db.session.get(Device, device_id).revoked_at is None
    done = client.post(url, data={"csrf_token": csrf_token_in(text), "reason": "丢失",
                                  "confirmed": "1"})
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.get(Device, device_id).revoked_at is not None


def test_removing_the_leader_asks_first(client, db, network, create_admin, login):
    from server.volunteers import operations as vols
    from server.volunteers import teams

    general = teams.create_team("总队", network["center"], is_general=True)
    db.session.flush()
    team = teams.create_team("东村巡逻队", network["east_station"])
    leader = vols.create_volunteer(name="王队长", phone="13900000009",
                                   site=network["east_station"])
    teams.add_member(team, leader)
    teams.set_leader(team, leader)
    db.session.commit()
    assert general.id
    login(create_admin("station_admin", network["east_station"]))
    page = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    url = f"/admin/teams/{team.id}/members/remove"
    asked = client.post(url, data={"csrf_token": csrf_token_in(page), "number": leader.number})
    assert asked.status_code == 200 and "王队长" in asked.get_data(as_text=True)
    db.session.rollback()
    assert teams.leader(team) is not None
    client.post(url, data={"csrf_token": csrf_token_in(page), "number": leader.number,
                           "confirmed": "1"})
    db.session.rollback()
    assert teams.membership(team, leader) is None
