"""Demo catalog: a 爱心超市 at the center and at 区图书馆, so points have something to buy."""

from __future__ import annotations

from sqlalchemy import select

from ..demo.context import ACTOR
from ..extensions import db
from ..sites.models import Site, SiteKind
from .catalog import save_item
from .models import Item

# site (None: the center), name, kind, cost in points, stock (None: unlimited)
ITEMS = [
    (None, "爱心超市·大米 5 公斤", "goods", 60, 40),
    (None, "爱心超市·食用油 1.8 升", "goods", 45, 30),
    (None, "爱心超市·洗衣液", "goods", 20, 80),
    (None, "免费理发服务一次", "service", 15, None),
    (None, "社区体检优先预约", "priority", 30, None),
    ("区图书馆", "图书馆文创帆布袋", "goods", 25, 50),
    ("区图书馆", "自习室座位优先预约（一周）", "priority", 20, None),
]


def load() -> dict[str, int]:
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    added = 0
    for site_name, name, kind, cost, stock in ITEMS:
        site = center
        if site_name is not None:
            site = db.session.scalar(select(Site).where(Site.name == site_name,
                                                        Site.parent_id == center.id))
        if db.session.scalar(select(Item.id).where(Item.site_id == site.id, Item.name == name)):
            continue
        save_item(site, name=name, kind=kind, cost_points=cost, stock=stock, actor=ACTOR)
        added += 1
    return {"catalog_items": added}
