"""Load the demo district; safe to run again (finds what exists, adds what is missing)."""

from __future__ import annotations

from sqlalchemy import select

from ..codes.operations import ensure_point_code, point_code
from ..extensions import db
from ..sites import operations as sites
from ..sites.models import Site, SiteKind
from ..users import operations as users
from ..users.models import AdminUser
from . import district

ACTOR = "demo"


def _find(parent: Site | None, name: str) -> Site | None:
    query = select(Site).where(Site.name == name)
    query = query.where(Site.parent_id == parent.id if parent else Site.parent_id.is_(None))
    return db.session.scalar(query)


def _ensure(kind: SiteKind, name: str, parent: Site | None, **fields) -> tuple[Site, bool]:
    existing = _find(parent, name)
    if existing is not None:
        return existing, False
    return sites.create_site(kind=kind, name=name, parent=parent, actor=ACTOR, **fields), True


def load_district() -> dict[str, int]:
    """Create the center, institutes, stations, points and demo admins. Returns counts added."""
    added = {"sites": 0, "users": 0, "codes": 0}
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    if center is None:
        center = sites.create_site(kind=SiteKind.CENTER, actor=ACTOR, **district.CENTER)
        added["sites"] += 1
    institutes = {}
    for town, stations in district.stations_by_town().items():
        institute, new = _ensure(SiteKind.INSTITUTE, district.institute_name(town), center,
                                 address=district.address(town))
        added["sites"] += new
        institutes[town] = institute
        for station_name in stations:
            _, new = _ensure(SiteKind.STATION, station_name, institute,
                             address=district.address(town, station_name.split("新时代")[0]))
            added["sites"] += new
    for point in district.POINTS:
        _, new = _ensure(SiteKind.POINT, point, center, address=district.address("元坝镇", point))
        added["sites"] += new

    for site in db.session.scalars(select(Site).where(Site.is_active.is_(True))):
        if point_code(site) is None:
            ensure_point_code(site, actor=ACTOR)
            added["codes"] += 1

    for username, display, role, town, station in district.DEMO_USERS:
        if db.session.scalar(select(AdminUser.id).where(AdminUser.username == username)):
            continue
        site = center
        if town is not None:
            site = institutes[town]
        if station is not None:
            site = _find(site, station)
        users.create_user(username, district.DEMO_PASSWORD, role, site, display_name=display,
                          actor=ACTOR)
        added["users"] += 1
    db.session.flush()
    return added
