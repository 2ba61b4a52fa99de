"""The service menu (服务清单): items offered at a site's subtree, each served by a team."""

from __future__ import annotations

from sqlalchemy import select

from ..core import audit
from ..core.errors import NotFound, ValidationError
from ..core.i18n import _l
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Team
from .models import BRANDS, CONTENT_AREAS, ITEM_DESCRIPTION_MAX, ITEM_NAME_MAX, ServiceItem
from .text import clean_text


def menu_for(site: Site) -> list[ServiceItem]:
    """Active items offered here: those of this site and of every unit above it."""
    ids = site.ancestor_ids + [site.id]
    return list(db.session.scalars(
        select(ServiceItem).where(ServiceItem.site_id.in_(ids), ServiceItem.is_active.is_(True))
        .order_by(ServiceItem.content_area, ServiceItem.id)))


def get_item(item_id) -> ServiceItem:
    try:
        item = db.session.get(ServiceItem, int(item_id))
    except (TypeError, ValueError):
        item = None
    if item is None:
        raise NotFound(_l("No such service."), "item_not_found", field="item_id")
    return item


def offered_at(item: ServiceItem, site: Site) -> bool:
    return item.is_active and item.site_id in site.ancestor_ids + [site.id]


def create_item(*, site: Site, name, content_area, brand, team: Team | None = None,
                description="", expected_minutes=60, actor=None) -> ServiceItem:
    if content_area not in CONTENT_AREAS:
        raise ValidationError(_l("Choose one of the five content areas."), "invalid_area",
                              field="content_area")
    if brand not in BRANDS:
        raise ValidationError(_l("Choose one of the five project brands."), "invalid_brand",
                              field="brand")
    try:
        minutes = int(expected_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 0 < minutes <= 1440:
        raise ValidationError(_l("The expected duration must be 1 to 1440 minutes."),
                              "invalid_minutes", field="expected_minutes")
    item = ServiceItem(site_id=site.id, team_id=team.id if team else None,
                       name=clean_text(name, "name", ITEM_NAME_MAX, required=True),
                       description=clean_text(description, "description",
                                              ITEM_DESCRIPTION_MAX),
                       content_area=content_area, brand=brand, expected_minutes=minutes)
    db.session.add(item)
    db.session.flush()
    audit.record("order_item.create", item, actor=actor, name=item.name, site_id=site.id)
    return item
