"""What every form that chooses a unit with the site picker must do, checked the way an admin
uses it: the page offers the units of the admin's subtree by name, and a service point or a
site elsewhere is refused with the form's own message (never a 5xx)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_in
from tests.pages import site_picker_options, site_picker_search

NO_SUCH_SITE = "没有这个站点。"
NOT_A_UNIT = "请选择单位：中心、实践所或实践站，不能选实践点。"

#: Each picker test runs for the two roles below the district, each at its home site.
LOWER_ADMINS = pytest.mark.parametrize(("role", "home"), [("station_admin", "east_station"),
                                                          ("institute_admin", "east")])


def check_unit_picker(client, url: str, fields: dict, network, west_point, *,
                      field: str = "site_id", multipart: bool = False):
    """Check the picker and the refusals of the form at `url` for an admin of the east
    (station or institute), then submit it with the east's station; returns that answer."""
    page = client.get(url).get_data(as_text=True)
    offered = site_picker_options(page, field)
    assert "东村新时代文明实践站" in offered
    assert "西村新时代文明实践站" not in offered and "测试区新时代文明实践中心" not in offered
    assert "东村图书室" not in offered  # a service point is not a unit
    search = site_picker_search(page, field)
    assert {"kind=center", "kind=institute", "kind=station"} <= set(
        search.split("?", 1)[1].split("&")) and "kind=point" not in search
    token = csrf_token_in(page)
    extra = {"content_type": "multipart/form-data"} if multipart else {}

    def post(site):
        answer = client.post(url, data={"csrf_token": token, **fields, field: str(site.id)},
                             **extra)
        assert answer.status_code < 500, answer.status_code
        return answer

    refused = post(network["library"])
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and NOT_A_UNIT in text, refused.status_code
    assert 'aria-invalid="true"' in text
    for elsewhere in (network["west_station"], west_point):
        # A site elsewhere is answered as missing, whatever its kind: nothing is told of it.
        refused = post(elsewhere)
        assert refused.status_code == 404 and NO_SUCH_SITE in refused.get_data(as_text=True)
    return post(network["east_station"])


def check_site_filter(client, url: str, network) -> None:
    """A list's site filter for an admin of the east: the picker over the subtree, all of it
    when none is chosen; a chosen site is kept; one elsewhere, or digits no site can have,
    is refused as missing (404), never a 5xx."""
    page = client.get(url).get_data(as_text=True)
    offered = site_picker_options(page, "site")
    assert offered[0] == "我管理的全部站点"  # nothing chosen: the whole subtree
    assert "东村新时代文明实践站" in offered and "东村图书室" in offered
    assert "西村新时代文明实践站" not in offered
    chosen = client.get(f"{url}?site={network['library'].id}")
    assert chosen.status_code == 200
    assert f'value="{network["library"].id}" selected' in chosen.get_data(as_text=True)
    for value in (network["west_station"].id, 999_999, "9" * 30):
        assert client.get(f"{url}?site={value}").status_code == 404, value
