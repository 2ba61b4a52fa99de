"""A new room's building is chosen by name among the units of the admin's subtree (a room is
a service point of its own under a unit, never under another point)."""

from __future__ import annotations

from sqlalchemy import select

from tests.site_pickers import LOWER_ADMINS, check_unit_picker


@LOWER_ADMINS
def test_the_room_form_picks_its_building(client, db, network, admin_session, create_site,
                                          role, home):
    from server.rooms.models import ZONES, Room
    from server.sites.models import Site

    west_point = create_site("point", "西村书屋", network["west_station"])
    admin_session(role, network[home])
    fields = {"name": "多功能活动室", "zone": ZONES[0], "capacity": "30", "opens": "09:00",
              "closes": "17:30", "weekdays": ["1", "2", "3"], "description": "",
              "needs_approval": "y"}
    made = check_unit_picker(client, "/admin/rooms/", fields, network, west_point,
                             field="building_id")
    assert made.status_code == 302, made.get_data(as_text=True)
    db.session.rollback()
    room = db.session.scalars(select(Room)).one()
    assert db.session.get(Site, room.site_id).parent_id == network["east_station"].id
