"""Demo volunteers: the general team, its 15 district branch teams, a team of each town's own
at its institute, and 300 volunteers over the district."""

from __future__ import annotations

import random

from sqlalchemy import select

from ..demo.context import ACTOR
from ..extensions import db
from ..sites.models import Site, SiteKind
from . import logins, teams
from . import operations as ops
from .models import Team, Volunteer

GENERAL_TEAM = "昭化区新时代文明实践志愿服务总队"
BRANCHES = ["党员先锋", "应急救援", "扶弱济困", "理论宣讲", "文化文艺", "科普宣传", "健身体育",
            "医疗卫生", "法律服务", "移风易俗", "生态环保", "关爱未成年人", "助老敬老", "平安建设",
            "邻里互助"]
VOLUNTEERS = 300
NUMBER_YEAR = 2024  # fixed, so the demo numbers are the same whenever it is loaded
# The README's demo volunteer: number ZH2024000001, password below, at 元坝社区's station.
DEMO_VOLUNTEER = ("王秀英", "13908120001", "元坝社区新时代文明实践站")
DEMO_PASSWORD = "zhaohua-demo-2024"

_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许傅沈曾彭吕苏卢蒋"
             "蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙"
             "万段雷钱汤尹黎易常武乔贺赖龚文蒲苟向母")
_GIVEN = ["建国", "秀英", "桂兰", "志强", "明华", "玉梅", "德福", "春花", "海燕", "小军",
          "文静", "俊杰", "丽娟", "国华", "淑芬", "永红", "晓东", "红梅", "建华", "子涵",
          "欣怡", "浩然", "思远", "雨萱", "光明", "世英", "家豪", "金凤", "长顺", "兰芳", "勇",
          "敏", "静", "磊", "洋", "军", "艳", "涛", "平", "芳", "伟", "娟", "刚", "丹",
          "超", "燕", "华", "霞", "强", "琴"]
_SKILLS = ["急救", "驾驶", "宣讲", "摄影", "书法", "护理", "法律咨询", "心理疏导", "文艺表演",
           "电脑维修", "理发", "川剧", "手语", "种植技术", "家电维修"]


def _people() -> list[tuple[str, str, int, list[str], list[int]]]:
    """(name, phone, site index, skills, branch indexes) for every demo volunteer."""
    rng = random.Random(20241129)
    people = []
    for index in range(VOLUNTEERS):
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{index:04d}{rng.randint(0, 9999):04d}"
        branches = rng.sample(range(len(BRANCHES)), rng.choice((1, 1, 2)))
        people.append((name, phone, rng.randrange(10**6), rng.sample(_SKILLS, rng.randint(0, 2)),
                       branches))
    return people


def _ensure_teams(center: Site) -> tuple[int, list[Team]]:
    added = 0
    general = teams.general_team()
    if general is None:
        general = teams.create_team(GENERAL_TEAM, center, is_general=True, actor=ACTOR,
                                    description="新时代文明实践志愿服务总队")
        added += 1
    branches = []
    for short in BRANCHES:
        name = f"{short}志愿服务分队"
        team = db.session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = teams.create_team(name, center, actor=ACTOR)
            added += 1
        branches.append(team)
    return added, branches


def _ensure_town_teams(center: Site) -> tuple[int, list[Team]]:
    """Each town's own team (镇志愿服务队), serving its institute: an order escalated to the
    institute has a team of the town to go to, besides the district's branch teams."""
    added, town_teams = 0, []
    for institute in db.session.scalars(select(Site).where(
            Site.parent_id == center.id, Site.kind == SiteKind.INSTITUTE).order_by(Site.id)):
        town = institute.name.removesuffix("新时代文明实践所")
        name = f"{town}志愿服务队"
        team = db.session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = teams.create_team(name, institute, actor=ACTOR,
                                     description=f"{town}的志愿者，服务本镇各村（社区）")
            added += 1
        town_teams.append(team)
    return added, town_teams


def load() -> dict[str, int]:
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    if center is None:
        return {"volunteers": 0, "teams": 0}
    teams_added, branches = _ensure_teams(center)
    towns_added, town_teams = _ensure_town_teams(center)
    teams_added += towns_added
    sites = list(db.session.scalars(select(Site).where(Site.is_active.is_(True))
                                    .order_by(Site.id)))
    by_name = {s.name: s for s in sites}
    name, phone, site_name = DEMO_VOLUNTEER
    people = [(name, phone, None, ["宣讲", "护理"], [0, 12])] + _people()[1:]
    added = 0
    for person_name, person_phone, site_index, skills, branch_ids in people:
        if db.session.scalar(select(Volunteer.id).where(Volunteer.phone == person_phone)):
            continue
        site = by_name.get(site_name) if site_index is None else sites[site_index % len(sites)]
        volunteer = ops.create_volunteer(name=person_name, phone=person_phone,
                                         site=site or center, skills=skills, actor=ACTOR,
                                         year=NUMBER_YEAR)
        for index in branch_ids:
            teams.add_member(branches[index], volunteer, actor=ACTOR)
        if site_index is None:
            logins.set_password(volunteer, DEMO_PASSWORD)
        added += 1
    db.session.flush()
    for team in town_teams:  # every volunteer of the town (joining twice changes nothing)
        for volunteer in db.session.scalars(ops.scoped_query(team.site)):
            teams.add_member(team, volunteer, actor=ACTOR)
    db.session.flush()
    for team in [teams.general_team(), *branches, *town_teams]:
        if teams.leader(team) is None and team.members:
            members = sorted(team.members, key=lambda m: m.volunteer_id)
            chosen = members[len(members) // 2]  # not always the README's demo volunteer
            teams.set_leader(team, chosen.volunteer, actor=ACTOR)
    return {"volunteers": added, "teams": teams_added}
