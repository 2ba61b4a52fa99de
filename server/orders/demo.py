"""Demo orders: a plausible service menu per institute and a few dozen orders in every state."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from ..demo.context import ACTOR
from ..extensions import db
from ..sites.models import Site, SiteKind
from ..volunteers.models import Team, TeamMember, Volunteer
from . import operations as ops
from .menu import create_item, menu_for
from .models import Order, ServiceItem

# name, content area, brand, expected minutes, words a fitting branch team's name contains
MENU = [
    ("理论政策宣讲进村", "宣传宣讲党的政策", "理响巴蜀", 90, ("宣讲", "党员")),
    ("科学知识小课堂", "学习实践科学理论", "理响巴蜀", 60, ("科普", "宣讲")),
    ("健康义诊", "培育践行主流价值", "情暖万家", 120, ("医疗", "健康")),
    ("法律咨询", "培育践行主流价值", "德耀巴蜀", 60, ("法律",)),
    ("代办代跑", "培育践行主流价值", "情暖万家", 90, ("扶弱", "便民")),
    ("助老陪护", "培育践行主流价值", "情暖万家", 120, ("助老", "扶弱", "关爱")),
    ("电影放映", "丰富活跃文化生活", "文润天府", 120, ("文艺", "文化")),
    ("移风易俗宣讲", "持续深入移风易俗", "风新四川", 60, ("移风", "宣讲")),
]

# The center's own items, offered everywhere (and at the points it runs directly).
CENTER_MENU = [
    ("阅读推广进村", "丰富活跃文化生活", "文润天府", 90, ("文化", "文艺")),
    ("政策咨询解读", "宣传宣讲党的政策", "理响巴蜀", 30, ("宣讲", "党员")),
    ("文明交通劝导", "持续深入移风易俗", "风新四川", 120, ("交通", "应急")),
]

COMMENTS = ["来得很准时，谢谢！", "讲得清楚，老人都听懂了。", "态度很好。", "等了很久才来。", ""]


def _team_for(words, site: Site) -> Team | None:
    teams = db.session.scalars(select(Team).where(Team.is_general.is_(False),
                                                  Team.is_active.is_(True))).all()
    for word in words:
        for team in teams:
            if word in team.name:
                return team
    return None


def _menu() -> int:
    added = 0
    units = db.session.scalars(select(Site).where(Site.kind.in_((SiteKind.CENTER,
                                                                 SiteKind.INSTITUTE)))
                               .order_by(Site.id)).all()
    for institute in units:
        # The center's own menu serves the named points it runs (library, bus station …).
        menu = CENTER_MENU if institute.kind == SiteKind.CENTER else MENU
        for name, area, brand, minutes, words in menu:
            if db.session.scalar(select(ServiceItem.id).where(ServiceItem.site_id == institute.id,
                                                              ServiceItem.name == name)):
                continue
            create_item(site=institute, name=name, content_area=area, brand=brand,
                        expected_minutes=minutes, team=_team_for(words, institute), actor=ACTOR,
                        description=f"{institute.name.removesuffix('新时代文明实践所')}志愿服务")
            added += 1
    return added


def _member(order: Order) -> Volunteer | None:
    if order.team_id is None:
        return None
    return db.session.scalar(select(Volunteer).join(TeamMember).where(
        TeamMember.team_id == order.team_id, Volunteer.is_active.is_(True))
        .order_by(Volunteer.id))


def _orders(count: int = 36) -> int:
    if db.session.scalar(select(func.count()).select_from(Order)):
        return 0  # orders exist: the demo ran before
    rng = random.Random(311)
    stations = db.session.scalars(select(Site).where(Site.kind == SiteKind.STATION)
                                  .order_by(Site.id)).all()
    made = 0
    for index in range(count):
        site = rng.choice(stations)
        menu = menu_for(site)
        if not menu:
            continue
        order = ops.place_order(site=site, item=rng.choice(menu),
                                phone=f"13{rng.randint(0, 9)}{index:08d}"[:11],
                                place=f"{rng.randint(1, 9)}组{rng.randint(1, 40)}号",
                                note=rng.choice(["", "老人行动不便，请上门。", "下午在家。"]),
                                channel=rng.choice(["phone", "phone", "kiosk"]), actor=ACTOR)
        made += 1
        stage = index % 6  # 0 waiting/dispatched, 1 accepted, 2 in service, 3 done, 4 rated, 5
        volunteer = _member(order)
        if order.status != "dispatched" or volunteer is None or stage == 0:
            continue
        if stage == 5:
            ops.cancel(order, "居民已自行解决", actor=ACTOR)
            continue
        ops.accept(order, volunteer)
        if stage >= 2:
            ops.start(order, volunteer)
        if stage >= 3:
            ops.complete(order, via="resident", actor=ACTOR)
        if stage >= 4:
            stars = rng.choice([5, 5, 4, 5, 2])
            ops.rate(order, stars=stars, comment=rng.choice(COMMENTS),
                     tags=["准时", "热情"][: rng.randint(0, 2)])
    return made


def load() -> dict[str, int]:
    return {"service_items": _menu(), "orders": _orders()}
