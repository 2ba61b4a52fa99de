"""The kiosk overview opens a site's kiosks (to pair one there) by the site's name; a site
elsewhere is missing, nothing chosen is asked for, never a 5xx."""

from __future__ import annotations

from tests.pages import site_picker_options
from tests.site_pickers import LOWER_ADMINS


@LOWER_ADMINS
def test_the_kiosks_of_a_site_picked_by_name(client, login, create_admin, network, role, home):
    login(create_admin(role, network[home]))
    page = client.get("/admin/kiosks/").get_data(as_text=True)
    offered = site_picker_options(page, "site_id")
    assert "东村图书室" in offered and "西村新时代文明实践站" not in offered
    library = network["library"].id
    opened = client.get(f"/admin/kiosks/at?site_id={library}")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/admin/sites/{library}/kiosks")
    for value in (network["west_station"].id, "9" * 30):
        refused = client.get(f"/admin/kiosks/at?site_id={value}")
        assert refused.status_code == 404 and "没有这个站点。" in refused.get_data(as_text=True)
    refused = client.get("/admin/kiosks/at?site_id=")
    assert refused.status_code == 400 and "请选择站点。" in refused.get_data(as_text=True)
