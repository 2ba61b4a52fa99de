"""The 1 + 12 + 150 + N network of the seed article, as plain data."""

from __future__ import annotations

import itertools

CENTER = {
    "name": "昭化区新时代文明实践中心",
    "address": "四川省广元市昭化区元坝镇",
    "latitude": 32.3225,
    "longitude": 105.9631,
    "contact_name": "中心办公室",
}

# One institute (所) per town of the district.
TOWNS = [
    "元坝镇", "昭化镇", "卫子镇", "王家镇", "磨滩镇", "柏林沟镇",
    "太公镇", "虎跳镇", "红岩镇", "射箭镇", "清水镇", "明觉镇",
]

# The named service points (点) the article lists, run from the center.
POINTS = [
    "区政务服务中心", "区图书馆", "国网昭化供电分公司", "元坝汽车站", "栖凤苑小区", "卡尔广场",
]

STATIONS_TOTAL = 150

_FIRST = "青白石金柏桂花龙凤马梨柳杨松竹桃梅新红平高黄水双三五大小"
_SECOND = "岩坪湾坝垭河沟林山桥园峰溪塘庙田"


def institute_name(town: str) -> str:
    return f"{town}新时代文明实践所"


def _village_names():
    """Plausible village names, deterministic and unique across the district."""
    for first, second in itertools.product(_FIRST, _SECOND):
        yield f"{first}{second}村"


def stations_by_town() -> dict[str, list[str]]:
    """150 stations: each town's own community first, then villages, spread evenly."""
    per_town, extra = divmod(STATIONS_TOTAL, len(TOWNS))
    villages = _village_names()
    spread = {}
    for index, town in enumerate(TOWNS):
        count = per_town + (1 if index < extra else 0)
        names = [town.removesuffix("镇") + "社区"]
        names += [next(villages) for _ in range(count - 1)]
        spread[town] = [f"{name}新时代文明实践站" for name in names]
    return spread


def address(town: str, place: str = "") -> str:
    return f"四川省广元市昭化区{town}{place}"


DEMO_PASSWORD = "zhaohua-demo-2024"
# username, display name, role, the site it manages (None: the center, else a town / station)
DEMO_USERS = [
    ("admin", "区中心管理员", "district_admin", None, None),
    ("yuanba", "元坝镇实践所管理员", "institute_admin", "元坝镇", None),
    ("yuanba-shequ", "元坝社区实践站管理员", "station_admin", "元坝镇", "元坝社区新时代文明实践站"),
]
