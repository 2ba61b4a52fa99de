"""Demo admins: one per level of the network, all with the demo password."""

from __future__ import annotations

from sqlalchemy import select

from ..demo import district
from ..demo.context import ACTOR, find_site
from ..extensions import db
from ..sites.models import Site, SiteKind
from .models import AdminUser
from .operations import create_user


def load() -> dict[str, int]:
    added = 0
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    for username, display, role, town, station in district.DEMO_USERS:
        if db.session.scalar(select(AdminUser.id).where(AdminUser.username == username)):
            continue
        site = center
        if town is not None:
            site = find_site(district.institute_name(town), center)
        if station is not None:
            site = find_site(station, site)
        create_user(username, district.DEMO_PASSWORD, role, site, display_name=display,
                    actor=ACTOR)
        added += 1
    return {"admins": added}
