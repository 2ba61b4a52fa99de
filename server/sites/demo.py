"""Demo sites: the center, 12 institutes, 150 stations and the named service points."""

from __future__ import annotations

from sqlalchemy import select

from ..demo import district
from ..demo.context import ACTOR, find_site
from ..extensions import db
from . import operations as sites
from .models import Site, SiteKind


def _ensure(kind: SiteKind, name: str, parent: Site | None, **fields) -> int:
    if find_site(name, parent) is not None:
        return 0
    sites.create_site(kind=kind, name=name, parent=parent, actor=ACTOR, **fields)
    return 1


def load() -> dict[str, int]:
    added = 0
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    if center is None:
        center = sites.create_site(kind=SiteKind.CENTER, actor=ACTOR, **district.CENTER)
        added += 1
    for town, stations in district.stations_by_town().items():
        added += _ensure(SiteKind.INSTITUTE, district.institute_name(town), center,
                         address=district.address(town))
        institute = find_site(district.institute_name(town), center)
        for station_name in stations:
            added += _ensure(SiteKind.STATION, station_name, institute,
                             address=district.address(town, station_name.split("新时代")[0]))
    for point in district.POINTS:
        added += _ensure(SiteKind.POINT, point, center, address=district.address("元坝镇", point))
    db.session.flush()
    return {"sites": added}
