"""Demo honor roll: a few dozen models of good conduct over the district, with generated
portraits (no photos of real people), most approved by the district, a few still waiting."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from ..demo.context import ACTOR
from ..extensions import db
from ..sites.models import Site, SiteKind
from ..users.models import AdminUser, Role
from . import operations as ops
from .models import Honoree
from .portraits import portrait_png

ENTRIES = 36
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许傅沈曾彭苟蒲母向"
_GIVEN = ["秀英", "桂兰", "德福", "春花", "国华", "淑芬", "永红", "建华", "玉梅", "长顺", "兰芳",
          "世英", "金凤", "明华", "光明", "志强", "红梅", "海燕", "文静", "家福"]
# category, honor title (year filled in), story
KINDS = [
    ("四川好人", "%d年度“四川好人”",
     "二十年如一日照顾瘫痪在床的邻居老人，端水喂饭、擦身按摩，从无怨言。"),
    ("凡人善举", "广元市“寻找身边的凡人善举”",
     "暴雨夜冒险蹚水把被困的三名小学生背过河，自己却被冲伤了腿。"),
    ("见义勇为", "广元市见义勇为奖",
     "在集市上奋力制止抢夺老人钱包的歹徒，协助民警将其抓获。"),
    ("道德模范", "广元市第二届道德模范",
     "创办家庭农场带动三十多户村民增收，资助十二名困难学生上学。"),
    ("好大姐", "%d年度“好大姐”",
     "组织村里妇女成立互助组，帮留守老人种菜、收粮、看病。"),
    ("好儿媳", "%d年度“好儿媳”",
     "丈夫外出务工，她一人照顾患病的公婆和两个孩子，把家打理得井井有条。"),
    ("好婆婆", "%d年度“好婆婆”",
     "待儿媳如亲生女儿，支持儿媳外出学习技术，一家人和和美美。"),
    ("好邻居", "%d年度“好邻居”",
     "谁家有事都来搭把手，十几年来帮邻居代收快递、照看孩子、修水管。"),
    ("最美志愿者", "%d年度“最美志愿者”",
     "参加志愿服务八百多小时，是“时间银行”积分最多的志愿者之一。"),
]


def _district_admin():
    return db.session.scalar(select(AdminUser).where(AdminUser.role == Role.DISTRICT,
                                                     AdminUser.is_active.is_(True)))


def load() -> dict[str, int]:
    if db.session.scalar(select(func.count()).select_from(Honoree)):
        return {"honorees": 0}  # the demo fills an empty roll only
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    approver = _district_admin()
    if center is None or approver is None:
        return {"honorees": 0}
    units = list(db.session.scalars(select(Site).where(
        Site.kind.in_((SiteKind.INSTITUTE, SiteKind.STATION)), Site.is_active.is_(True))
        .order_by(Site.id)))
    library = db.session.scalar(select(Site).where(Site.name == "区图书馆"))
    rng = random.Random(685)  # the seed's 685 models
    for index in range(ENTRIES):
        category, title, story = KINDS[index % len(KINDS)]
        year = 2021 + index % 4
        if index < 3:  # the seed's three 四川好人 of 2023
            category, title, story = KINDS[0][0], KINDS[0][1], KINDS[0][2]
            year = 2023
        unit = center if index % 7 == 3 else (units[rng.randrange(len(units))] if units
                                              else center)
        if library is not None and index in (5, 11):
            unit = center  # the center's own, shown at 区图书馆's kiosk too
        honoree = ops.nominate(name=rng.choice(_SURNAMES) + rng.choice(_GIVEN),
                               category=category,
                               title=title % year if "%d" in title else title,
                               story=story, site=unit, year=year, consent=True, actor=ACTOR)
        ops.set_photo(honoree, portrait_png(1000 + index), actor=ACTOR)
        if index % 9 == 8:
            continue  # waiting for the district's decision
        ops.decide(honoree, index % 17 != 16, "" if index % 17 != 16 else "事迹材料不完整",
                   actor=approver)
    return {"honorees": ENTRIES}
