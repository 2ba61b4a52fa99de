"""`flask rooms list`: the function rooms with their zones, hours and what waits for approval."""

from __future__ import annotations

import click
from flask.cli import AppGroup

group = AppGroup("rooms", help="Function rooms and their bookings.")
groups = (group,)


@group.command("list")
def list_rooms():
    """Every room: zone, name, capacity, opening hours, requests waiting."""
    from ..sites.operations import center
    from . import operations as ops

    root = center()
    waiting = {}
    for booking in ops.waiting(root) if root else []:
        waiting[booking.room_id] = waiting.get(booking.room_id, 0) + 1
    for room in ops.rooms(root):
        click.echo(f"{room.id}\t{room.zone}\t{room.name}\t{room.capacity}\t"
                   f"{ops.opening_text(room)}\t{waiting.get(room.id, 0)} waiting")
