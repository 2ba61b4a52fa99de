"""Demo featured projects (the seed's 葭萌"广播书记", "知客说理", "金妈妈" and nine more) and
their 一月一助 claims over the past year: delivered, a few dropped, this month's open."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from ..core.fields import next_month, this_month
from ..core.timeutil import LOCAL_TZ, utcnow
from ..demo import district
from ..demo.context import ACTOR, find_site
from ..extensions import db
from ..sites.models import Site, SiteKind
from ..volunteers.models import Team
from . import operations as ops
from .models import FeaturedProject, ProjectClaim

MONTHS_BACK = 11  # with this month and the next: the demo's year
# name, town (None: the center), branch team word, brand, content area, description
PROJECTS = [
    ("葭萌“广播书记”", "昭化镇", "理论宣讲", "理响巴蜀", "宣传宣讲党的政策",
     "村支部书记每天清晨用村村响广播讲政策、说农事、提醒天气，群众在田间地头就能听到。"),
    ("“知客说理”", "昭化镇", "法律服务", "德耀巴蜀", "培育践行主流价值",
     "请村里德高望重的“知客”调解邻里纠纷、讲家风家训，把矛盾化解在院坝。"),
    ("“金妈妈”", "元坝镇", "关爱未成年人", "情暖万家", "培育践行主流价值",
     "退休女教师、妇女干部结对留守儿童，周末辅导功课、节日上门陪伴。"),
    ("红岩“夕阳红”助老", "红岩镇", "助老敬老", "情暖万家", "培育践行主流价值",
     "为独居老人理发、打扫、代购药品，每月上门一次。"),
    ("柏林沟“法律明白人”", "柏林沟镇", "法律服务", "风新四川", "持续深入移风易俗",
     "培养村组法律明白人，讲解婚丧礼俗新规和防诈骗知识。"),
    ("卫子“田坝课堂”", "卫子镇", "科普宣传", "理响巴蜀", "学习实践科学理论",
     "农技员在田坝里讲猕猴桃、茶叶种植技术，现场答疑。"),
    ("王家“书香驿站”", "王家镇", "文化文艺", "文润天府", "丰富活跃文化生活",
     "村级书屋延时开放，志愿者组织读书会和少儿绘本共读。"),
    ("磨滩“红白理事会”", "磨滩镇", "移风易俗", "风新四川", "持续深入移风易俗",
     "红白理事会帮办简办婚丧事宜，倡导厚养薄葬、婚事新办。"),
    ("太公“科普大篷车”", "太公镇", "科普宣传", "理响巴蜀", "学习实践科学理论",
     "科普大篷车进村进校，演示防灾减灾、健康生活小实验。"),
    ("虎跳“文艺轻骑兵”", "虎跳镇", "文化文艺", "文润天府", "丰富活跃文化生活",
     "村里的文艺骨干编排川剧小品、快板，把新风尚唱进院坝。"),
    ("射箭“应急先锋”", "射箭镇", "应急救援", "情暖万家", "培育践行主流价值",
     "应急救援志愿者开展防汛演练、急救培训和汛期巡查。"),
    ("昭化“向模范致敬”宣讲", None, "理论宣讲", "德耀巴蜀", "培育践行主流价值",
     "组织道德模范、先进典型进学校、机关、村社、企业宣讲身边好人事迹。"),
]

PLANS = ["每周五集中活动日开展一次", "联合村组开展两次上门服务", "进校园、进院坝各开展一次",
         "结合本月主题开展专题活动"]
DELIVERED = ["按计划完成，群众反响好", "完成服务，受益群众六十余人", "已完成，并形成图片台账",
             "完成两场，第二场改在村委会院坝"]


def _team(word: str) -> Team | None:
    return db.session.scalar(select(Team).where(Team.name.contains(word),
                                                Team.is_general.is_(False)))


def load() -> dict[str, int]:
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    if center is None:
        return {"projects": 0, "claims": 0}
    added = 0
    for name, town, word, brand, area, description in PROJECTS:
        if db.session.scalar(select(FeaturedProject.id).where(FeaturedProject.name == name)):
            continue
        unit = find_site(district.institute_name(town), center) if town else center
        ops.create_project(name=name, site=unit or center, team=_team(word), brand=brand,
                           content_area=area, description=description, actor=ACTOR)
        added += 1
    return {"projects": added, "claims": _claims(center)}


def _claims(center: Site) -> int:
    now = utcnow()
    current = this_month(now)
    month = current
    for _ in range(MONTHS_BACK):
        month = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    rng = random.Random(20240108)
    projects = ops.projects()
    added = 0
    while month <= next_month(current):
        pretend = datetime(month.year, month.month, 1, 9, tzinfo=LOCAL_TZ)
        for index, project in enumerate(projects):
            if (index + month.month) % 3 == 0:
                continue  # not every project is claimed every month
            claimant = {"site": project.site} if index % 2 == 0 or project.team is None \
                else {"team": project.team}
            column = ProjectClaim.claimant_site_id if "site" in claimant \
                else ProjectClaim.claimant_team_id
            key = (claimant.get("site") or claimant.get("team")).id
            if db.session.scalar(select(ProjectClaim.id).where(
                    ProjectClaim.project_id == project.id, ProjectClaim.month == month,
                    column == key)):
                continue
            row = ops.claim(project, month, plan=rng.choice(PLANS),
                            sessions_planned=rng.choice((1, 2, 2, 3)), actor=ACTOR,
                            now=pretend, **claimant)
            if month < current:
                if rng.random() < 0.1:
                    ops.drop_claim(row, "与防汛工作冲突，顺延至下月", actor=ACTOR)
                else:
                    ops.report_delivery(row, sessions_delivered=row.sessions_planned,
                                        note=rng.choice(DELIVERED), actor=ACTOR)
            added += 1
        month = next_month(month)
    return added
