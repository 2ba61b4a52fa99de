"""A featured project's unit is chosen by name among the units of the admin's subtree."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.site_pickers import check_unit_picker


@pytest.mark.parametrize(("role", "home"), [("station_admin", "east_station"),
                                            ("institute_admin", "east")])
def test_the_project_form_picks_a_unit(client, db, network, admin_session, create_site,
                                       role, home):
    from server.projects.models import FeaturedProject

    west_point = create_site("point", "西村书屋", network["west_station"])
    admin_session(role, network[home])
    fields = {"name": "邻里互助", "brand": "情暖万家", "content_area": "培育践行主流价值",
              "description": "", "team_id": ""}
    made = check_unit_picker(client, "/admin/projects/", fields, network, west_point)
    assert made.status_code == 302
    db.session.rollback()
    assert db.session.scalars(select(FeaturedProject.site_id)).all() == [
        network["east_station"].id]
    assert db.session.scalar(select(func.count()).select_from(FeaturedProject)) == 1
