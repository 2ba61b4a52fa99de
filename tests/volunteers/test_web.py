"""Dashboard pages and the JSON API: scope, masking, forms, cards and login links over HTTP."""

from __future__ import annotations

import re

import numpy as np
from sqlalchemy import func, select

import qr
from server.codes import operations as codes
from server.volunteers import operations as ops
from server.volunteers import teams
from server.volunteers.models import Volunteer
from tests.conftest import csrf_token_in
from tests.imaging import rasterise_pdf


def _form(client, path, **data):
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_list_is_scoped_and_masks_phones(client, login, east_admin, create_volunteer):
    create_volunteer(name="东村甲", phone="13812345678", site="east_station")
    create_volunteer(name="西村丙", phone="13900001111", site="west_station")
    login(east_admin)
    page = client.get("/admin/volunteers/").get_data(as_text=True)
    assert "东村甲" in page and "138****5678" in page
    assert "13812345678" not in page and "西村丙" not in page


def test_foreign_volunteer_is_404_everywhere(client, login, east_admin, create_volunteer,
                                             network):
    foreign = create_volunteer(name="西村丙", site="west_station")
    login(east_admin)
    for path in (f"/admin/volunteers/{foreign.number}", f"/admin/volunteers/{foreign.number}/edit",
                 f"/admin/volunteers/{foreign.number}/card.png",
                 f"/api/v1/volunteers/{foreign.number}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/api/v1/volunteers?site={network['west'].id}").status_code == 404
    assert client.get("/admin/volunteers/ZH2099999999").status_code == 404


def test_create_through_the_form_and_refusals_keep_nothing(client, db, login, east_admin,
                                                            general, network):
    login(east_admin)
    site = str(network["east_station"].id)
    bad = _form(client, "/admin/volunteers/new", name="张三", phone="1234", home_site_id=site)
    assert bad.status_code == 400 and "11 位" in bad.get_data(as_text=True)
    foreign = _form(client, "/admin/volunteers/new", name="张三", phone="13812345678",
                    home_site_id=str(network["west_station"].id))
    assert foreign.status_code == 400  # not among the choices the form offers
    long = _form(client, "/admin/volunteers/new", name="张" * 33, phone="13812345678",
                 home_site_id=site)
    assert long.status_code == 400 and "太长" in long.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    ok = _form(client, "/admin/volunteers/new", name="张三", phone="138 1234 5678",
               home_site_id=site, skills="急救、驾驶")
    assert ok.status_code == 302
    db.session.rollback()
    volunteer = db.session.scalar(select(Volunteer))
    assert ok.headers["Location"] == f"/admin/volunteers/{volunteer.number}"
    assert volunteer.skills == ["急救", "驾驶"] and ops.volunteer_code(volunteer) is not None


def test_reissue_from_the_detail_page_revokes_the_old_code(client, db, login, east_admin,
                                                           create_volunteer):
    volunteer = create_volunteer()
    old_url = codes.code_url(ops.volunteer_code(volunteer))
    login(east_admin)
    path = f"/admin/volunteers/{volunteer.number}"
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    refused = client.post(path + "/reissue", data={"csrf_token": token, "reason": ""},
                          follow_redirects=True)
    assert "请说明换码原因" in refused.get_data(as_text=True)
    client.post(path + "/reissue", data={"csrf_token": token, "reason": "卡片丢失"})
    db.session.rollback()
    assert ops.volunteer_code(volunteer).version == 2
    response = client.get(re.sub(r"^https://[^/]+", "", old_url))
    assert response.status_code == 410  # the landing page refuses it too


def test_login_link_page_shows_a_link_and_a_qr_once(client, db, login, east_admin,
                                                    create_volunteer, app):
    volunteer = create_volunteer()
    login(east_admin)
    path = f"/admin/volunteers/{volunteer.number}"
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    page = client.post(path + "/login-link", data={"csrf_token": token})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    link = re.search(r'id="login-link" href="([^"]+)"', html).group(1)
    assert link.startswith("https://zhaohua.example.org/v/link/") and "<svg" in html
    assert client.get(path).get_data(as_text=True).count(link) == 0
    phone = app.test_client()
    assert phone.get(link.replace("https://zhaohua.example.org", "")).status_code == 200


def test_deactivate_button(client, db, login, east_admin, create_volunteer):
    volunteer = create_volunteer()
    login(east_admin)
    path = f"/admin/volunteers/{volunteer.number}"
    assert _form(client, path, ).status_code == 405
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    assert client.post(path + "/deactivate", data={"csrf_token": token}).status_code == 302
    db.session.rollback()
    assert not db.session.get(Volunteer, volunteer.id).is_active
    assert "东村" not in client.get("/admin/volunteers/").get_data(as_text=True).split("<tbody>")[1]


def test_card_pdf_is_read_back_by_the_decoder(client, login, east_admin, create_volunteer,
                                              tmp_path):
    volunteer = create_volunteer(name="欧阳明华")
    login(east_admin)
    response = client.get(f"/admin/volunteers/{volunteer.number}/card.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [page] = rasterise_pdf(response.data, tmp_path, 200)
    found = qr.decode(page)
    assert [d.text for d in found] == [codes.code_url(ops.volunteer_code(volunteer))]
    png = client.get(f"/admin/volunteers/{volunteer.number}/card.png")
    assert png.mimetype == "image/png"
    assert [d.text for d in qr.decode(png.data)] == [d.text for d in found]


def test_batch_cards_of_a_team_ten_a_page(client, login, district_admin, create_volunteer,
                                          branch, tmp_path):
    members = [create_volunteer(name=f"队员{i}") for i in range(12)]
    create_volunteer(name="不在队里")
    for v in members:
        teams.add_member(branch, v)
    from server.extensions import db

    db.session.commit()
    login(district_admin)
    response = client.get(f"/admin/volunteers/cards.pdf?team={branch.id}")
    assert response.status_code == 200
    pages = rasterise_pdf(response.data, tmp_path, 150)
    assert len(pages) == 2
    read = {d.text for p in pages for d in qr.decode(p)}
    assert read == {codes.code_url(ops.volunteer_code(v)) for v in members}
    assert np.asarray(pages[0]).shape[0] > np.asarray(pages[0]).shape[1]  # A4 portrait


def test_api_list_is_paginated_scoped_and_masked(client, login, east_admin, create_volunteer):
    for i in range(3):
        create_volunteer(name=f"东村{i}", phone=f"1381234567{i}")
    create_volunteer(name="西村丙", site="west_station")
    login(east_admin)
    body = client.get("/api/v1/volunteers?per_page=2&page=2").get_json()
    assert body["total"] == 3 and body["page"] == 2 and len(body["volunteers"]) == 1
    everyone = client.get("/api/v1/volunteers").get_json()["volunteers"]
    assert {v["phone"] for v in everyone} == {"138****5670", "138****5671", "138****5672"}
    one = client.get(f"/api/v1/volunteers/{everyone[0]['number']}").get_json()
    assert one["phone"].startswith("138123456") and one["code_version"] == 1


def test_api_create_and_its_refusals(client, db, login, east_admin, general, network):
    csrf = login(east_admin)
    headers = {"X-CSRFToken": csrf}
    site = network["east_station"].id
    good = {"name": "张三", "phone": "13812345678", "home_site_id": site, "skills": ["急救"]}
    created = client.post("/api/v1/volunteers", json=good, headers=headers)
    assert created.status_code == 201
    assert re.fullmatch(r"ZH\d{4}000001", created.get_json()["number"])
    cases = [({**good, "phone": "2381234567"}, 400, "invalid_phone"),
             ({**good, "name": "张" * 33}, 400, "too_long"),
             ({**good, "home_site_id": network["west_station"].id}, 400, "site_required"),
             ({**good, "home_site_id": "1"}, 400, "invalid_type"),
             ({**good, "number": "ZH1"}, 400, "unknown_field")]
    for body, status, code in cases:
        response = client.post("/api/v1/volunteers", json=body, headers=headers)
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1
    assert client.post("/api/v1/volunteers", json=good).status_code == 400  # no CSRF token


def test_teams_pages_add_member_and_set_leader(client, db, login, district_admin, east_admin,
                                               branch, create_volunteer):
    volunteer = create_volunteer()
    login(east_admin)
    path = f"/admin/teams/{branch.id}"
    assert _form(client, path, number=volunteer.number).status_code == 405
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    client.post(path + "/members", data={"csrf_token": token, "number": volunteer.number})
    # The team serves the center: an institute admin may not name its leader.
    response = client.post(path + "/leader", data={"csrf_token": token,
                                                   "number": volunteer.number},
                           follow_redirects=True)
    assert "范围" in response.get_data(as_text=True) or "管理" in response.get_data(as_text=True)
    db.session.rollback()
    assert teams.membership(branch, volunteer) is not None and teams.leader(branch) is None
    assert "应急救援" in client.get("/admin/teams/").get_data(as_text=True)


def test_members_join_only_teams_that_serve_the_admin(client, db, login, east_admin, general,
                                                      network, create_volunteer):
    from server.volunteers import teams as team_ops

    west_team = team_ops.create_team("西镇法律服务队", network["west"])
    db.session.commit()
    volunteer = create_volunteer()
    login(east_admin)
    token = csrf_token_in(client.get("/admin/teams/").get_data(as_text=True))
    refused = client.post(f"/admin/teams/{west_team.id}/members",
                          data={"csrf_token": token, "number": volunteer.number})
    assert refused.status_code == 404
    db.session.rollback()
    assert team_ops.membership(west_team, volunteer) is None
