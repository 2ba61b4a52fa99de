"""The service menu (服务清单): items offered at a site's subtree, each served by a team."""

from __future__ import annotations

from sqlalchemy import select

from ..core import audit
from ..core.actors import Actor
from ..core.errors import NotFound, ValidationError
from ..core.i18n import _l
from ..core.schema import parse_id
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
    item_id = parse_id(item_id.strip() if isinstance(item_id, str) else item_id)
    item = db.session.get(ServiceItem, item_id) if item_id is not None else None
    if item is None:
        raise NotFound(_l("No such service."), "item_not_found", field="item_id")
    return item


def offered_at(item: ServiceItem, site: Site) -> bool:
    return item.is_active and item.site_id in site.ancestor_ids + [site.id]


def _checked(*, name, content_area, brand, description, expected_minutes) -> dict:
    """The fields of a menu line, cleaned; a ValidationError naming the field otherwise."""
    if content_area not in CONTENT_AREAS:
        raise ValidationError(_l("Choose one of the five content areas."), "invalid_area",
                              field="content_area")
    if brand not in BRANDS:
        raise ValidationError(_l("Choose one of the five project brands."), "invalid_brand",
                              field="brand")
    if isinstance(expected_minutes, str) and expected_minutes.strip().isascii() and \
            expected_minutes.strip().isdigit():
        expected_minutes = int(expected_minutes.strip())
    minutes = expected_minutes if type(expected_minutes) is int else 0
    if not 0 < minutes <= 1440:
        raise ValidationError(_l("The expected duration must be 1 to 1440 minutes."),
                              "invalid_minutes", field="expected_minutes")
    return {"name": clean_text(name, "name", ITEM_NAME_MAX, required=True),
            "description": clean_text(description, "description", ITEM_DESCRIPTION_MAX),
            "content_area": content_area, "brand": brand, "expected_minutes": minutes}


def create_item(*, site: Site, name, content_area, brand, team: Team | None = None,
                description="", expected_minutes=60, actor: Actor = None) -> ServiceItem:
    fields = _checked(name=name, content_area=content_area, brand=brand,
                      description=description, expected_minutes=expected_minutes)
    item = ServiceItem(site_id=site.id, team_id=team.id if team else None, **fields)
    db.session.add(item)
    db.session.flush()
    audit.record("order_item.create", item, actor=actor, name=item.name, site_id=site.id)
    return item


def update_item(item: ServiceItem, *, name, content_area, brand, team: Team | None = None,
                description="", expected_minutes=60, actor: Actor = None) -> ServiceItem:
    """Edit a menu line in place: orders already placed keep their item and their history
    (they name the item by id); what changed is in the audit entry, before and after."""
    fields = _checked(name=name, content_area=content_area, brand=brand,
                      description=description, expected_minutes=expected_minutes)
    fields["team_id"] = team.id if team else None
    item = _locked(item)
    changed = {key: [getattr(item, key), value] for key, value in fields.items()
               if getattr(item, key) != value}
    for key, value in fields.items():
        setattr(item, key, value)
    db.session.flush()
    if changed:
        audit.record("order_item.update", item, actor=actor, **changed)
    return item


def set_item_active(item: ServiceItem, active: bool, *, actor: Actor = None) -> ServiceItem:
    """Retire a line from the menu (residents and kiosks stop offering it; open orders of it
    go on) or offer it again. A repeat changes nothing and writes no entry."""
    item = _locked(item)
    if item.is_active != bool(active):
        item.is_active = bool(active)
        db.session.flush()
        audit.record("order_item.activate" if active else "order_item.retire", item,
                     actor=actor, name=item.name)
    return item


def _locked(item: ServiceItem) -> ServiceItem:
    return db.session.scalar(select(ServiceItem).where(ServiceItem.id == item.id)
                             .with_for_update().execution_options(populate_existing=True))
