"""Demo rhythm: a year of Friday activity days at every station under each month's theme, the
five brands in turn, reading mornings at 区图书馆, talks by models of good conduct, project
activities behind the 一月一助 claims, and sign-ups (the README's volunteer among them)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ..core.fields import next_month, this_month
from ..core.timeutil import LOCAL_TZ, utcnow
from ..demo.context import ACTOR
from ..extensions import db
from ..honors.models import Honoree
from ..projects.models import ProjectClaim
from ..sites.models import Site, SiteKind
from ..volunteers.demo import DEMO_VOLUNTEER
from ..volunteers.models import Volunteer
from . import operations as ops
from . import signups
from .models import Activity, MonthlyTheme

MONTHS_BACK = 11
# Every month has a theme (月月有主题): calendar month -> (theme, brand, content area).
THEMES = {
    1: ("迎新春 送温暖", "情暖万家", "培育践行主流价值"),
    2: ("移风易俗 文明过节", "风新四川", "持续深入移风易俗"),
    3: ("学雷锋 志愿行", "德耀巴蜀", "培育践行主流价值"),
    4: ("文明祭扫 绿色清明", "风新四川", "持续深入移风易俗"),
    5: ("劳动最光荣", "理响巴蜀", "学习实践科学理论"),
    6: ("关爱未成年人 快乐过六一", "情暖万家", "培育践行主流价值"),
    7: ("党的光辉照我心", "理响巴蜀", "宣传宣讲党的政策"),
    8: ("军民鱼水情", "德耀巴蜀", "培育践行主流价值"),
    9: ("尊师重教 书香昭化", "文润天府", "丰富活跃文化生活"),
    10: ("礼赞祖国 敬老爱老", "情暖万家", "培育践行主流价值"),
    11: ("法治宣传 平安昭化", "风新四川", "宣传宣讲党的政策"),
    12: ("文明实践 岁末暖冬", "文润天府", "丰富活跃文化生活"),
}
TOWN_THEME = ("元坝新时代文明实践所", "元坝镇“院坝说事”月")


def _months(now: datetime) -> list[date]:
    month = this_month(now)
    for _ in range(MONTHS_BACK):
        month = (month - timedelta(days=1)).replace(day=1)
    months = []
    while month <= next_month(this_month(now)):
        months.append(month)
        month = next_month(month)
    return months


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def load() -> dict[str, int]:
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    if center is None:
        return {"activities": 0, "themes": 0, "signups": 0}
    months = _months(utcnow())
    themes = _themes(center, months)
    before = db.session.scalar(select(func.count()).select_from(Activity))
    for month in months:
        title, brand, area = THEMES[month.month]
        ops.friday_days(center, month, title=f"集中活动日 · {title}", brand=brand,
                        content_area=area, starts=time(9), ends=time(11, 30), capacity=30,
                        description="每周五是文明实践集中活动日：理论宣讲、政策解读、文艺演出、"
                                    "志愿服务，欢迎群众参加。", actor=ACTOR)
    if before == 0:  # the one-off activities are added to a rhythm that has none
        _one_offs(center, months)
    added = db.session.scalar(select(func.count()).select_from(Activity)) - before
    return {"activities": added, "themes": themes, "signups": _signups() if before == 0 else 0}


def _themes(center: Site, months: list[date]) -> int:
    added = 0
    town = db.session.scalar(select(Site).where(Site.name == TOWN_THEME[0]))
    for month in months:
        wanted = [(center, THEMES[month.month][0])]
        if town is not None and month == this_month(utcnow()):
            wanted.append((town, TOWN_THEME[1]))
        for site, title in wanted:
            if db.session.scalar(select(MonthlyTheme.id).where(
                    MonthlyTheme.site_id == site.id, MonthlyTheme.month == month)):
                continue
            ops.set_theme(site, month, title, "月月有主题，周周有活动。", actor=ACTOR)
            added += 1
    return added


def _fridays_and_saturdays(month: date) -> tuple[list[date], list[date]]:
    fridays = ops.fridays(month)
    return fridays, [d + timedelta(days=1) for d in fridays
                     if (d + timedelta(days=1)).month == month.month]


def _one_offs(center: Site, months: list[date]) -> None:
    rng = random.Random(10000)
    library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
    institutes = list(db.session.scalars(select(Site).where(
        Site.kind == SiteKind.INSTITUTE).order_by(Site.id)))
    speakers = list(db.session.scalars(select(Honoree).where(Honoree.status == "approved")
                                       .order_by(Honoree.id)))
    for month in months:
        _, saturdays = _fridays_and_saturdays(month)
        if library is not None:
            for day in saturdays:
                ops.create_activity(
                    title="周末亲子阅读会", brand="文润天府", content_area="丰富活跃文化生活",
                    site=library, starts_at=_at(day, 9, 30), ends_at=_at(day, 11),
                    capacity=20, description="志愿者带孩子们读绘本、讲故事，家长可一同参加。",
                    actor=ACTOR)
        for n, speaker in enumerate(speakers[(month.month * 3) % max(len(speakers), 1):][:3]):
            site = institutes[(month.month + n) % len(institutes)] if institutes else center
            day = month + timedelta(days=8 + n * 6)
            ops.create_activity(
                title=f"德耀巴蜀 文明昭化——{speaker.category}{speaker.name}事迹宣讲",
                brand="德耀巴蜀", content_area="培育践行主流价值", site=site,
                starts_at=_at(day, 14, 30), ends_at=_at(day, 16), capacity=80,
                honoree=speaker, description="向模范致敬，与榜样同行。", actor=ACTOR)
        for claim in db.session.scalars(select(ProjectClaim).where(
                ProjectClaim.month == month, ProjectClaim.status != "dropped")):
            project = claim.project
            site = claim.claimant_site or project.site
            day = month + timedelta(days=rng.randrange(2, 26))
            ops.create_activity(
                title=project.name.strip("“”") + " · 一月一助", brand=project.brand,
                content_area=project.content_area, site=site, starts_at=_at(day, 9),
                ends_at=_at(day, 11, 30), capacity=None, project=project,
                team=claim.claimant_team or project.team, description=project.description,
                actor=ACTOR)


def _signups() -> int:
    """Upcoming places: the README's volunteer has two, the library's reading morning fills
    up and has a waitlist, residents register for it too."""
    now = utcnow()
    added = 0
    name, phone, station_name = DEMO_VOLUNTEER
    me = db.session.scalar(select(Volunteer).where(Volunteer.phone == phone))
    station = db.session.scalar(select(Site).where(Site.name == station_name))
    library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
    others = list(db.session.scalars(select(Volunteer).where(Volunteer.is_active.is_(True))
                                     .order_by(Volunteer.id).limit(40)))
    mine = []
    if station is not None:
        mine += ops.upcoming_at(station, now=now, limit=1, days=14)
    reading = ops.upcoming_at(library, now=now, limit=1, days=14) if library else []
    if me is not None:
        for activity in mine + reading:
            signups.sign_up(activity, volunteer=me, now=now, actor=ACTOR)
            added += 1
    for activity in reading:
        for volunteer in others[:22]:
            if volunteer is not me:
                signups.sign_up(activity, volunteer=volunteer, now=now, actor=ACTOR)
                added += 1
        for index, resident in enumerate(("刘奶奶", "陈大爷", "赵阿姨")):
            signups.sign_up(activity, phone=f"1390812{index:04d}", name=resident, now=now,
                            actor=ACTOR)
            added += 1
    return added
