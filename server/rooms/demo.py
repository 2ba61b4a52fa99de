"""Demo function rooms: the center's 18 rooms in five zones (理论宣讲, 市民教育, 文化活动,
科普宣传, 健身活动), each a point with its poster, and a month of bookings around today."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..core.errors import DomainError
from ..core.timeutil import LOCAL_TZ, utcnow
from ..demo.context import ACTOR, find_site
from ..extensions import db
from ..sites.models import Site, SiteKind
from ..users.models import AdminUser, Role
from ..volunteers.models import Team
from . import operations as ops
from .models import Room, RoomBooking

# zone -> (room name, capacity, opens, closes, weekdays, description)
ROOMS = {
    "理论宣讲": [("理论宣讲厅", 120, time(8, 30), time(17, 30), "12345",
              "报告厅，可放映，设无障碍座位。"),
             ("党史学习室", 40, time(8, 30), time(17, 30), "12345",
              "党史图书与展陈，适合小组学习。"),
             ("道德讲堂", 60, time(8, 30), time(17, 30), "123456",
              "先进典型宣讲、家风家训讲座。")],
    "市民教育": [("市民课堂", 50, time(9), time(20, 30), "1234567",
              "晚间市民夜校、技能培训。"),
             ("家长学校", 40, time(9), time(17, 30), "123456",
              "家庭教育讲座与亲子活动。"),
             ("法律服务室", 12, time(9), time(17), "12345",
              "律师志愿者坐班，法律咨询。"),
             ("心理咨询室", 6, time(9), time(17), "12345",
              "一对一心理疏导，预约制。")],
    "文化活动": [("书画室", 30, time(9), time(20), "1234567",
              "书法、国画练习，备有笔墨纸砚。"),
             ("排练厅", 60, time(9), time(21), "1234567",
              "文艺队排练，带音响和镜墙。"),
             ("非遗传习室", 25, time(9), time(17, 30), "123456",
              "昭化剪纸、川剧坐唱传习。"),
             ("图书阅览室", 80, time(9), time(20), "1234567",
              "开架阅览，设大字本专架。")],
    "科普宣传": [("科普体验室", 30, time(9), time(17, 30), "123456",
              "防灾减灾、健康科普互动展项。"),
             ("电子阅览室", 40, time(9), time(20), "1234567",
              "电子图书与期刊，老年人智能手机课。"),
             ("青少年科创室", 24, time(9), time(18), "67",
              "编程、机器人、航模，周末开放。")],
    "健身活动": [("乒乓球室", 16, time(8), time(21), "1234567",
              "四张球台，免费预约。"),
             ("舞蹈室", 40, time(8), time(21), "1234567",
              "广场舞、健身操排练。"),
             ("棋牌室", 30, time(8), time(21), "1234567",
              "象棋、围棋，禁止赌博。"),
             ("健身房", 20, time(8), time(21), "1234567",
              "基础器械，有志愿者指导。")],
}
PURPOSES = [("院坝说事筹备会", 20), ("老年智能手机课", 25), ("文艺队排练", 30), ("读书分享会", 30),
            ("志愿者培训", 40), ("家庭教育讲座", 35), ("书法交流", 15), ("乒乓球友谊赛", 12),
            ("普法讲座", 40), ("青少年编程体验", 20)]
BOOKERS = [("刘建华", "13908121001"), ("陈玉梅", "13908121002"), ("杨德福", "13908121003"),
           ("周淑芬", "13908121004"), ("吴长顺", "13908121005")]


def load() -> dict[str, int]:
    center = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
    if center is None:
        return {"rooms": 0, "bookings": 0, "codes": 0}
    added = 0
    for zone, rooms in ROOMS.items():
        for name, capacity, opens, closes, days, description in rooms:
            if find_site(name, center) is not None:
                continue
            ops.create_room(building=center, name=name, zone=zone, capacity=capacity,
                            description=description, opens=opens, closes=closes,
                            weekdays=days, needs_approval=zone != "健身活动", actor=ACTOR)
            added += 1
    bookings = 0
    if not db.session.scalar(select(func.count()).select_from(RoomBooking)):
        bookings = _bookings()
    return {"sites": added, "rooms": added, "codes": added, "bookings": bookings}


def _bookings() -> int:
    rng = random.Random(18)
    now = utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    approver = db.session.scalar(select(AdminUser).where(AdminUser.role == Role.DISTRICT))
    teams = list(db.session.scalars(select(Team).where(Team.is_general.is_(False))
                                    .order_by(Team.id).limit(5)))
    rooms = list(db.session.scalars(select(Room).order_by(Room.id)))
    added = 0
    for offset in range(-20, 15):
        day = today + timedelta(days=offset)
        for room in rng.sample(rooms, 3):
            if str(day.isoweekday()) not in room.open_weekdays:
                continue
            hour = rng.choice((9, 10, 14, 15)) if room.closes_minute <= 18 * 60 \
                else rng.choice((9, 14, 19))
            start = datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)
            purpose, people = rng.choice(PURPOSES)
            name, phone = rng.choice(BOOKERS)
            pretend = min(now, start - timedelta(days=2))
            if offset >= 0 and ops.overlapping(room, start, start + timedelta(hours=2)):
                continue
            try:
                if added % 4 == 3 and teams:
                    booking = ops.book(room, starts_at=start, ends_at=start + timedelta(hours=2),
                                       purpose=purpose, attendees=min(people, room.capacity),
                                       contact_name=teams[added % len(teams)].name[:12],
                                       channel="admin", actor=ACTOR, now=pretend)
                else:
                    booking = ops.book(room, starts_at=start, ends_at=start + timedelta(hours=2),
                                       purpose=purpose, attendees=min(people, room.capacity),
                                       contact_name=name, phone=phone, actor=ACTOR, now=pretend)
            except DomainError:  # taken, or the phone's limit: the demo skips that one
                continue
            if booking.status == "requested" and approver is not None \
                    and (offset < 0 or rng.random() < 0.6):
                ops.decide(booking, True, actor=approver)
            added += 1
    return added
