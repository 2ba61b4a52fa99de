"""Bad input on dashboard forms gets a clear answer in words (issue 13, defect 7)."""

from __future__ import annotations

from tests.conftest import csrf_token_in


def test_site_contact_phone_must_be_a_phone_number(client, db, network, create_admin, login):
    login(create_admin("district_admin", network["center"]))
    url = f"/admin/sites/{network['library'].id}/edit"
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    form = {"csrf_token": token, "name": "东村图书室", "address": "", "latitude": "",
            "longitude": "", "contact_name": "", "contact_phone": "abc"}
    refused = client.post(url, data=form)
    assert refused.status_code == 400 and "0827-1234567" in refused.get_data(as_text=True)
    for good in ("0827-1234567", "(0827) 123 4567", "13812345678", ""):
        assert client.post(url, data=dict(form, contact_phone=good)).status_code == 302, good


def test_tampered_site_kind_is_answered_in_words(client, db, network, create_admin, login):
    login(create_admin("district_admin", network["center"]))
    url = f"/admin/sites/{network['east'].id}/new"
    page = client.get(url).get_data(as_text=True)
    assert 'inputmode="None"' not in page
    refused = client.post(url, data={"csrf_token": csrf_token_in(page), "kind": "castle",
                                     "name": "城堡"})
    assert refused.status_code == 400 and "请从列表中选择阵地类型" in refused.get_data(as_text=True)


def test_a_shared_phone_number_is_warned_about(client, db, network, create_admin, login):
    from server.volunteers import operations as vols
    from server.volunteers import teams

    teams.create_team("总队", network["center"], is_general=True)
    vols.create_volunteer(name="张大爷", phone="13812345678", site=network["west_station"])
    db.session.commit()
    login(create_admin("station_admin", network["east_station"]))
    token = csrf_token_in(client.get("/admin/volunteers/new").get_data(as_text=True))
    added = client.post("/admin/volunteers/new", data={
        "csrf_token": token, "name": "张大妈", "phone": "138 1234 5678",
        "home_site_id": str(network["east_station"].id), "skills": ""}, follow_redirects=True)
    text = added.get_data(as_text=True)
    assert "另有 1 名志愿者使用同一手机号" in text
    assert "张大爷" not in text  # only a count: the other lies outside this admin's subtree


def test_too_many_points_says_so(client, db, network, create_admin, login):
    from server.volunteers import operations as vols
    from server.volunteers import teams

    teams.create_team("总队", network["center"], is_general=True)
    person = vols.create_volunteer(name="李四", phone="13812340000",
                                   site=network["east_station"])
    db.session.commit()
    login(create_admin("district_admin", network["center"]))
    token = csrf_token_in(client.get("/admin/ledger/balances").get_data(as_text=True))
    answer = client.post("/admin/ledger/balances", data={
        "csrf_token": token, "number": person.number, "points": "99999999", "reason": "奖励"},
        follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "一次调整最多 100000 积分" in text and "非零整数" not in text
