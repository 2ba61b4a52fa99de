"""A nomination's unit is chosen by name among the units of the admin's subtree."""

from __future__ import annotations

from sqlalchemy import select

from tests.site_pickers import LOWER_ADMINS, check_unit_picker


@LOWER_ADMINS
def test_the_nomination_form_picks_a_unit(client, db, network, admin_session, create_site,
                                          role, home):
    from server.honors.models import Honoree

    west_point = create_site("point", "西村书屋", network["west_station"])
    admin_session(role, network[home])
    fields = {"name": "李秀英", "category": "好邻居", "title": "", "year": "2026",
              "story": "二十年照顾孤寡老人。", "consent": "y"}
    made = check_unit_picker(client, "/admin/honors/new", fields, network, west_point,
                             multipart=True)
    assert made.status_code == 302, made.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(select(Honoree.site_id)).all() == [network["east_station"].id]
