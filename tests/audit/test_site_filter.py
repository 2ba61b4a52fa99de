"""The audit log's site filter is the site picker over one's subtree, not a number box."""

from __future__ import annotations

import pytest

from tests.site_pickers import check_site_filter


@pytest.mark.parametrize(("role", "home"), [("station_admin", "east_station"),
                                            ("institute_admin", "east")])
def test_the_audit_site_filter_picks_by_name(client, login, create_admin, network, role, home):
    login(create_admin(role, network[home]))
    check_site_filter(client, "/admin/audit/", network)
