"""Demo codes: every active site gets its point code, ready to print."""

from __future__ import annotations

from sqlalchemy import select

from ..demo.context import ACTOR
from ..extensions import db
from ..sites.models import Site
from .operations import ensure_point_code, point_code


def load() -> dict[str, int]:
    added = 0
    for site in db.session.scalars(select(Site).where(Site.is_active.is_(True))):
        if point_code(site) is None:
            ensure_point_code(site, actor=ACTOR)
            added += 1
    return {"codes": added}
