"""The site-tree pages as an admin uses them: browse, search, create, edit, deactivate."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.sites.models import Site
from tests.conftest import csrf_token_in
from tests.pages import site_picker_options


def test_browse_create_edit_deactivate(client, login, db, create_admin, network):
    login(create_admin("district_admin", network["center"]))
    page = client.get("/admin/sites/", follow_redirects=True).get_data(as_text=True)
    assert "东镇新时代文明实践所" in page and "西镇新时代文明实践所" in page

    form = client.get(f"/admin/sites/{network['center'].id}/new?kind=point")
    token = csrf_token_in(form.get_data(as_text=True))
    response = client.post(f"/admin/sites/{network['center'].id}/new", data={
        "csrf_token": token, "kind": "point", "name": "区文化馆", "address": "元坝镇"})
    assert response.status_code == 302
    db.session.rollback()
    created = db.session.scalars(select(Site).where(Site.name == "区文化馆")).one()
    assert created.parent_id == network["center"].id

    response = client.post(f"/admin/sites/{created.id}/edit", data={
        "csrf_token": token, "name": "昭化区文化馆", "address": "元坝镇文化路"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "昭化区文化馆" in page and "已保存" in page

    client.post(f"/admin/sites/{network['west'].id}/deactivate", data={"csrf_token": token})
    db.session.rollback()
    assert not db.session.get(Site, network["west_station"].id).is_active


def test_form_errors_are_shown_and_nothing_is_written(client, login, db, create_admin, network):
    login(create_admin("district_admin", network["center"]))
    token = csrf_token_in(client.get(f"/admin/sites/{network['east'].id}/new").get_data(
        as_text=True))
    response = client.post(f"/admin/sites/{network['east'].id}/new", data={
        "csrf_token": token, "kind": "station", "name": "东村新时代文明实践站"})
    assert response.status_code == 409
    assert "已有名为“东村新时代文明实践站”的站点" in response.get_data(as_text=True)
    response = client.post(f"/admin/sites/{network['east'].id}/new", data={
        "csrf_token": token, "kind": "station", "name": "长" * 65})
    assert response.status_code == 400
    assert "名称太长" in response.get_data(as_text=True)
    response = client.post(f"/admin/sites/{network['east'].id}/new", data={
        "csrf_token": token, "kind": "institute", "name": "所下所"})  # not a valid choice
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(Site).where(Site.name.in_(["所下所", "长" * 65]))) is None


def test_station_admin_is_kept_in_its_subtree(client, login, create_admin, network):
    login(create_admin("station_admin", network["east_station"]))
    assert client.get("/admin/sites/", follow_redirects=True).status_code == 200
    response = client.get(f"/admin/sites/{network['west_station'].id}")
    # Outside the subtree answers exactly as a site that does not exist.
    assert response.status_code == 404
    def alert(answer):
        return answer.get_data(as_text=True).split('role="alert"')[1].split("</div>")[0]

    assert alert(response) == alert(client.get("/admin/sites/999999"))
    assert client.get(f"/admin/sites/{network['center'].id}/edit").status_code == 404
    page = client.get("/admin/sites/?q=村").get_data(as_text=True)
    assert "东村图书室" in page and "西村" not in page


def test_unknown_site_is_404(client, login, create_admin, network):
    login(create_admin("district_admin", network["center"]))
    assert client.get("/admin/sites/999999").status_code == 404


def test_site_picker_search_is_scoped_for_every_role(client, db, login, create_admin, network):
    assert client.get("/admin/sites/pick?q=村").status_code == 302  # log in first
    east = {"东村新时代文明实践站", "东村图书室"}
    expected = {"district_admin": east | {"西村新时代文明实践站"}, "institute_admin": east,
                "station_admin": east}
    sites = {"district_admin": network["center"], "institute_admin": network["east"],
             "station_admin": network["east_station"]}
    admins = {role: create_admin(role, site) for role, site in sites.items()}
    for role, admin in admins.items():
        token = login(admin)
        found = client.get("/admin/sites/pick?q=村").get_json()["sites"]
        assert {s["name"] for s in found} == expected[role], role
        station = next(s for s in found if s["name"] == "东村新时代文明实践站")
        assert station["kind"] == "实践站"
        page = client.get("/admin/shifts/new").get_data(as_text=True)
        assert "data-site-picker" in page and "站点编号" not in page
        assert ("西村新时代文明实践站" in page) == (role == "district_admin")
        client.post("/logout", data={"csrf_token": token})


def test_site_picker_search_keeps_the_kinds_asked_for(client, login, create_admin, network):
    """A form that takes units only asks the search for those kinds (repeated `kind=`); the
    subtree still bounds what is found, and an unknown kind is a 400, not a 5xx."""
    login(create_admin("institute_admin", network["east"]))

    def names(query):
        answer = client.get("/admin/sites/pick?" + query)
        assert answer.status_code == 200
        return {s["name"] for s in answer.get_json()["sites"]}

    assert names("q=东村") == {"东村新时代文明实践站", "东村图书室"}
    assert names("q=东村&kind=point") == {"东村图书室"}
    assert names("q=&kind=center&kind=institute&kind=station") == {
        "东镇新时代文明实践所", "东村新时代文明实践站"}
    assert names("q=西&kind=station") == set()  # the west's station is not mine
    assert names("q=东村&kind=") == {"东村新时代文明实践站", "东村图书室"}
    assert client.get("/admin/sites/pick?q=东&kind=planet").status_code == 400


def test_a_large_subtree_s_picker_lists_its_upper_levels_and_the_search_finds_the_rest(
        client, db, login, create_admin, network, monkeypatch):
    """A province's picker held its 10,000 sites as options (0.9 MB a page). Past
    PICKER_OPTIONS the select holds the kinds that fit, plus the site already chosen; the
    typeahead's search still reaches every site of the subtree."""
    from server.sites import operations

    login(create_admin("district_admin", network["center"]))
    whole = site_picker_options(client.get("/admin/reports/").get_data(as_text=True), "site")
    assert "东村图书室" in whole and len(whole) == 7  # "all my sites" and the six

    monkeypatch.setattr(operations, "PICKER_OPTIONS", 5)  # six sites: the point is left out
    upper = site_picker_options(client.get("/admin/reports/").get_data(as_text=True), "site")
    assert upper == [name for name in whole if name != "东村图书室"]
    chosen = client.get(f"/admin/reports/?site={network['library'].id}").get_data(as_text=True)
    assert "东村图书室" in site_picker_options(chosen, "site")
    assert re.search(rf'<option value="{network["library"].id}" selected', chosen)
    upper_ids = [s.id for s, _ in operations.picker_order(network["center"])]
    for junk in ("9" * 30, "0", "-1", "东村", network["west"].id * 1000):  # no site: none added
        assert [s.id for s, _ in operations.picker_order(network["center"], selected=junk)] \
            == upper_ids
    found = client.get("/admin/sites/pick?q=图书室").get_json()["sites"]
    assert [s["name"] for s in found] == ["东村图书室"]

    monkeypatch.setattr(operations, "PICKER_OPTIONS", 2)  # the institutes alone are too many
    assert len(site_picker_options(client.get("/admin/reports/").get_data(as_text=True),
                                   "site")) == 2  # "all my sites" and the center
