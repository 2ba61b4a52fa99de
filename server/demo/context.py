"""What the features' demo loaders share: the actor name and a lookup by name and parent."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..sites.models import Site

ACTOR = "demo"


def find_site(name: str, parent: Site | None) -> Site | None:
    query = select(Site).where(Site.name == name)
    query = query.where(Site.parent_id == parent.id if parent else Site.parent_id.is_(None))
    return db.session.scalar(query)
