"""Codes over HTTP: the phone landing page, the kiosk feeds, the dashboard, the round trip."""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pytest
from sqlalchemy import select

import qr
from server.codes import operations as ops
from server.core.audit import AuditEvent
from tests.conftest import csrf_token_in
from tests.forgery import resigned
from tests.imaging import photograph, rasterise_pdf


def _path(url: str) -> str:
    return urlsplit(url).path


def _rejections(db):
    db.session.rollback()
    return [e.details["reason"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "code.rejected").order_by(AuditEvent.id))]


def test_landing_page_shows_the_site_from_the_record(client, coded, network):
    response = client.get(_path(ops.code_url(coded["library"])))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "东村图书室" in page and "东村新时代文明实践站" in page
    # The place comes first: before any action is offered.
    assert page.index("东村图书室") < page.index("点单")
    lower = client.get(_path(ops.code_url(coded["library"])).replace("/S/", "/s/", 1))
    assert lower.status_code == 200


def test_revoked_code_gets_a_clear_page_and_an_audit_entry(client, db, coded, network):
    url = ops.code_url(coded["library"])
    ops.rotate_point_code(network["library"], "海报被覆盖")
    db.session.commit()
    response = client.get(_path(url))
    assert response.status_code == 410
    assert "已作废" in response.get_data(as_text=True)
    assert _rejections(db) == ["revoked"]


def test_forged_code_gets_400_and_an_audit_entry(client, db, coded):
    url = ops.code_url(coded["library"])
    response = client.get(_path(resigned(url)))
    assert response.status_code == 400
    assert "伪造" in response.get_data(as_text=True)
    assert response.get_data(as_text=True).count("东村图书室") == 0
    assert _rejections(db) == ["tampered"]


def test_manual_entry_by_short_code(client, coded, network):
    short = coded["library"].short_code
    response = client.get(f"/s/?code={short.lower()}")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    missing = client.get("/s/?code=ZH-9999-1")
    assert missing.status_code == 404
    assert "没有找到这个编号的服务码" in missing.get_data(as_text=True)


def test_keys_and_revocation_feed_for_kiosks(client, db, coded, network):
    keyring = qr.Keyring.from_json(client.get("/api/v1/keys").get_data())
    assert qr.verify(ops.code_url(coded["east"]), keyring,
                     base_url="https://zhaohua.example.org").subject == str(network["east"].id)
    empty = client.get("/api/v1/revocations?since=0").get_json()
    assert empty == {"revocations": [], "cursor": 0, "more": False}
    ops.rotate_point_code(network["east"], "换码")
    ops.revoke_point_code(network["west"], "撤并")
    db.session.commit()
    feed = client.get("/api/v1/revocations?since=0").get_json()
    assert [r["code_id"] for r in feed["revocations"]] == [coded["east"].code_id,
                                                          coded["west"].code_id]
    later = client.get(f"/api/v1/revocations?since={feed['revocations'][0]['cursor']}").get_json()
    assert [r["code_id"] for r in later["revocations"]] == [coded["west"].code_id]
    assert client.get("/api/v1/revocations?since=-1").status_code == 400


def test_resolve_api(client, db, coded, network):
    body = client.post("/api/v1/codes/resolve", json={"text": ops.code_url(coded["east"])})
    assert body.status_code == 200
    assert body.get_json()["site"]["name"] == "东镇新时代文明实践所"
    foreign = client.post("/api/v1/codes/resolve", json={"text": "https://example.com/"})
    assert foreign.status_code == 400
    assert foreign.get_json()["error"]["code"] == "code_foreign"
    wrong = client.post("/api/v1/codes/resolve",
                        json={"text": ops.code_url(coded["east"]), "type": "volunteer"})
    assert wrong.get_json()["error"]["code"] == "code_wrong_type"
    assert client.post("/api/v1/codes/resolve", json={"text": ""}).status_code == 400
    assert _rejections(db) == ["foreign", "wrong_type"]  # kept although the answer is an error


def test_dashboard_code_page_downloads_and_rotation(client, login, db, coded, network,
                                                    district_admin):
    login(district_admin)
    site_id = network["library"].id
    page = client.get(f"/admin/sites/{site_id}/code").get_data(as_text=True)
    assert coded["library"].short_code in page
    png = client.get(f"/admin/sites/{site_id}/code.png")
    assert png.mimetype == "image/png"
    [found] = qr.decode(png.data)
    assert found.text == ops.code_url(coded["library"])
    assert b"<svg" in client.get(f"/admin/sites/{site_id}/code.svg").data[:100]
    assert client.get(f"/admin/sites/{site_id}/poster.pdf?size=A6").data.startswith(b"%PDF")
    assert client.get(f"/admin/sites/{site_id}/poster.pdf?size=B5").status_code == 404

    token = csrf_token_in(page)
    client.post(f"/admin/sites/{site_id}/code/rotate", data={"csrf_token": token,
                                                            "reason": "海报破损"})
    db.session.rollback()
    assert ops.point_code(network["library"]).version == 2
    client.post(f"/admin/sites/{site_id}/code/revoke", data={"csrf_token": token, "reason": "",
                                                            "confirmed": "1"})
    db.session.rollback()
    assert ops.point_code(network["library"]) is not None  # a reason is required
    asked = client.post(f"/admin/sites/{site_id}/code/revoke", data={"csrf_token": token,
                                                                    "reason": "站点关闭"})
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in asked.get_data(
        as_text=True)
    db.session.rollback()
    assert ops.point_code(network["library"]) is not None  # asked first, nothing done
    client.post(f"/admin/sites/{site_id}/code/revoke", data={
        "csrf_token": csrf_token_in(asked.get_data(as_text=True)), "reason": "站点关闭",
        "confirmed": "1"})
    db.session.rollback()
    assert ops.point_code(network["library"]) is None
    page = client.get(f"/admin/sites/{site_id}/code").get_data(as_text=True)
    assert "站点关闭" in page and "v2" in page


def test_batch_print_of_a_subtree(client, login, db, network, district_admin, tmp_path):
    token = login(district_admin)
    response = client.post(f"/admin/sites/{network['east'].id}/posters.pdf",
                           data={"csrf_token": token, "size": "A6"})
    assert response.mimetype == "application/pdf"
    pages = rasterise_pdf(response.data, tmp_path, 100)
    assert len(pages) == 3  # the institute, its station and the station's point


def test_batch_print_of_the_chosen_sites_only(client, login, db, network, district_admin,
                                              tmp_path):
    token = login(district_admin)
    page = client.get(f"/admin/sites/{network['center'].id}/code").get_data(as_text=True)
    assert f'name="only" value="{network["east"].id}"' in page  # the children to tick
    response = client.post(f"/admin/sites/{network['center'].id}/posters.pdf", data={
        "csrf_token": token, "size": "A6",
        "only": [str(network["east"].id), str(network["west_station"].id)]})
    assert response.mimetype == "application/pdf"
    assert len(rasterise_pdf(response.data, tmp_path, 60)) == 2  # those two, none below
    # A site outside the subtree matches nothing there; a value that is no id is refused.
    east = client.post(f"/admin/sites/{network['east'].id}/posters.pdf", data={
        "csrf_token": token, "size": "A6", "only": str(network["west_station"].id)})
    assert east.status_code == 302  # nothing to print, said on the page
    for bad in ("x", "1" * 40, "-1"):
        refused = client.post(f"/admin/sites/{network['east'].id}/posters.pdf", data={
            "csrf_token": token, "size": "A6", "only": bad})
        assert refused.status_code == 400, bad
        assert "请从列表中勾选要打印的站点" in refused.get_data(as_text=True)


def test_station_admin_cannot_touch_another_sites_code(client, login, create_admin, coded,
                                                       network):
    token = login(create_admin("station_admin", network["east_station"]))
    other = network["west_station"].id
    assert client.get(f"/admin/sites/{other}/code").status_code == 404
    assert client.get(f"/admin/sites/{other}/code.png").status_code == 404
    response = client.post(f"/api/v1/sites/{other}/code/rotate", json={"reason": "x"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 404


@pytest.mark.slow
def test_round_trip_print_photograph_decode_verify_resolve(client, login, db, coded, network,
                                                           district_admin, tmp_path):
    """make → poster PDF → rasterise → phone photo → decode → verify offline → server page."""
    login(district_admin)
    site_id = network["east_station"].id
    pdf = client.get(f"/admin/sites/{site_id}/poster.pdf?size=A4").data
    [page] = rasterise_pdf(pdf, tmp_path, 110)
    photo = photograph(page, np.random.default_rng(2024))
    [found] = qr.decode(photo)
    keyring = qr.Keyring.from_json(client.get("/api/v1/keys").get_data())
    payload = qr.verify(found.text, keyring, base_url="https://zhaohua.example.org")
    assert payload.subject == str(site_id)
    landing = client.get(_path(found.text))
    assert landing.status_code == 200
    assert "东村新时代文明实践站" in landing.get_data(as_text=True)


def test_a_rotation_that_cannot_finish_keeps_the_old_code(client, login, db, coded, network,
                                                          district_admin):
    """Rotating the code of a deactivated site would revoke and then fail to issue: the
    refusal rolls back the revocation, so the site keeps the code it had."""
    from server.sites.operations import set_active

    token = login(district_admin)
    db.session.rollback()
    set_active(network["library"], False)
    db.session.commit()
    client.post(f"/admin/sites/{network['library'].id}/code/rotate",
                data={"csrf_token": token, "reason": "换新"})
    db.session.rollback()
    assert ops.point_code(network["library"]).id == coded["library"].id


def test_batch_print_skips_a_code_withdrawn_without_replacement(client, login, db, network,
                                                                 district_admin, tmp_path):
    station = network["east_station"]
    ops.ensure_point_code(station)
    ops.revoke_point_code(station, "站点撤并")
    db.session.commit()
    token = login(district_admin)
    url = f"/admin/sites/{network['east'].id}/posters.pdf"
    told = client.post(url, data={"csrf_token": token, "size": "A6"})
    assert told.status_code == 200 and told.mimetype == "text/html"
    text = told.get_data(as_text=True)
    assert station.name in text and "作废" in text
    db.session.rollback()
    assert ops.point_code(network["east"]) is None  # nothing issued before the admin agrees
    printed = client.post(url, data={"csrf_token": token, "size": "A6", "skipped_ok": "1"})
    assert printed.mimetype == "application/pdf"
    assert len(rasterise_pdf(printed.data, tmp_path, 100)) == 2  # the institute and the point
    db.session.rollback()
    assert ops.point_code(station) is None
    assert [c.version for c in ops.point_history(station)] == [1]
