"""The audit log's site filter is the site picker over one's subtree, not a number box."""

from __future__ import annotations

from tests.site_pickers import LOWER_ADMINS, check_site_filter


@LOWER_ADMINS
def test_the_audit_site_filter_picks_by_name(client, login, create_admin, network, role, home):
    login(create_admin(role, network[home]))
    check_site_filter(client, "/admin/audit/", network)
