"""`flask demo province`: a province-sized network, deterministic by seed, written in bulk.

The district demo (`demo load`) goes through every feature's operations, one record at a time,
with its audit entries and codes: right for 300 volunteers, hours for a million shifts. This
generator writes the same tables with Core `insert()` statements given lists of rows (the
driver's executemany / SQLAlchemy's insertmanyvalues), in chunks, day by day, so memory stays
flat and a full province takes minutes. What the operations would guarantee it guarantees by
construction: one open shift per volunteer, credited minutes only on closed shifts, one ledger
transfer per creditable shift (the hours→points rule of the bank), redemptions only from a
balance that holds them, one rating per rated order, one leader per team. It posts no service
codes (`flask codes issue-all` makes them) and no order history rows.

Everything but the kiosks' secrets comes from `random.Random(seed)` and the `until` day, so the
same seed and day give the same rows on SQLite and PostgreSQL (`digest()` says so).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from sqlalchemy import JSON, Table, func, insert, select, text

from ..core import audit
from ..core.errors import Conflict
from ..core.i18n import _l
from ..core.timeutil import LOCAL_TZ
from ..devices.models import Device
from ..devices.operations import hash_secret, sealed_presence_secret
from ..extensions import db
from ..ledger.models import ISSUANCE, REDEMPTION, Account, Item, Redemption, Transfer
from ..ledger.operations import DEFAULT_POINTS_PER_HOUR, points_for_minutes
from ..orders.models import BRANDS, CONTENT_AREAS, Order, Rating, ServiceItem
from ..shifts.models import Shift
from ..sites.models import Site
from ..volunteers.models import Team, TeamMember, Volunteer, VolunteerNumberCounter
from ..volunteers.operations import NUMBER_PREFIX
from .district import DEMO_PASSWORD

FULL = {"sites": 10_000, "volunteers": 100_000, "shifts": 1_000_000, "orders": 200_000}
DAYS = 365
CHUNK = 10_000
ACTOR = "demo"
DISTRICT_ADMIN, INSTITUTE_ADMIN = "province", "province-institute"

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉华建国志红梅林燕春晓文斌浩宇欣怡"
_SERVICES = ("政策宣讲", "道德讲堂", "文化惠民演出", "移风易俗劝导", "科普进村", "助老陪护",
             "义务理发", "法律咨询", "家电维修", "儿童课业辅导")
_KIOSK_VERSION = "1.0.0"


@dataclass
class Plan:
    """How many of each thing a scale asks for."""

    institutes: int
    stations: int
    points: int
    volunteers: int
    shifts: int
    orders: int

    @classmethod
    def at(cls, scale: float) -> Plan:
        sites = max(4, round(FULL["sites"] * scale))
        institutes = max(1, round(sites * 0.04))
        points = max(1, round(sites * 0.16))
        return cls(institutes=institutes, stations=max(1, sites - 1 - institutes - points),
                   points=points, volunteers=max(10, round(FULL["volunteers"] * scale)),
                   shifts=max(50, round(FULL["shifts"] * scale)),
                   orders=max(20, round(FULL["orders"] * scale)))

    @property
    def sites(self) -> int:
        return 1 + self.institutes + self.stations + self.points


@dataclass
class Built:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Ids:
    """Explicit primary keys, continuing after what each table holds."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def start(self, table: Table) -> int:
        last = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
        self.next[table.name] = int(last) + 1
        return self.next[table.name]

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


def _complete(table: Table, rows: list[dict]) -> list[dict]:
    """One executemany (or COPY) needs the same keys in every row, and COPY applies no
    Python-side default: a missing column gets its plain default, or NULL."""
    keys = set().union(*rows)
    missing = {c.name: c.default.arg if c.default is not None and c.default.is_scalar else None
               for c in table.columns
               if c.name in keys or (c.default is not None and c.default.is_scalar)}
    width = len(missing)
    return [row if len(row) == width else {**missing, **row} for row in rows]


def _put(table: Table, rows: list[dict], built: Built) -> None:
    if rows:
        rows = _complete(table, rows)
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            _copy(connection, table, rows)
        else:
            connection.execute(insert(table), rows)
        built.counts[table.name] = built.counts.get(table.name, 0) + len(rows)


def _copy(connection, table: Table, rows: list[dict]) -> None:
    """PostgreSQL's COPY through psycopg's public copy API, in the session's transaction: the
    server parses one stream instead of a statement per thousand rows."""
    from psycopg.types.json import Json

    names = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    cursor = connection.connection.driver_connection.cursor()
    quoted = ", ".join(f'"{n}"' for n in names)
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(row[n]) if n in json_columns and row[n] is not None
                            else row[n] for n in names])


def _chunked(table: Table, rows: Iterator[dict], built: Built) -> None:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            _put(table, batch, built)
            batch = []
    _put(table, batch, built)


def _name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(_SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _spread(total: int, weights: list[float]) -> list[int]:
    """`total` split by `weights`, whole numbers that add up (largest remainders)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))[
            :total - sum(counts)]:
        counts[i] += 1
    return counts


def build(scale: float = 1.0, seed: int = 2024, until: date | None = None,
          progress: Callable[[str], None] | None = None) -> Built:
    """Write the province into the session's transaction (the caller commits). Refused when
    the database already holds a site tree: a deployment has one center."""
    if db.session.scalar(select(func.count()).select_from(Site)):
        raise Conflict(_l("The province is generated into an empty database."),
                       "database_not_empty")
    begun = time.monotonic()
    say = progress or (lambda _text: None)
    rng = random.Random(seed)
    plan = Plan.at(scale)
    until = until or datetime.now(LOCAL_TZ).date()
    first_day = until - timedelta(days=DAYS - 1)
    epoch = datetime.combine(first_day, clock(), LOCAL_TZ).astimezone(UTC)
    built = Built()
    ids = _Ids()
    for table in (Site, Team, Volunteer, Shift, ServiceItem, Order, Rating, Account, Transfer,
                  Item, Redemption, Device):
        ids.start(table.__table__)

    # ---- the site tree -----------------------------------------------------------------------
    sites = Site.__table__
    center_id = ids.take(sites)
    rows = [dict(id=center_id, kind="center", parent_id=None, parent_kind=None,
                 name="省新时代文明实践中心", address="四川省成都市", path=f"/{center_id}/",
                 latitude=30.66, longitude=104.07, is_active=True, created_at=epoch,
                 updated_at=epoch)]
    institutes, stations, points = [], [], []
    for n in range(plan.institutes):
        site_id = ids.take(sites)
        institutes.append((site_id, f"/{center_id}/{site_id}/"))
        rows.append(dict(id=site_id, kind="institute", parent_id=center_id,
                         parent_kind="center", name=f"第{n + 1:03d}镇新时代文明实践所",
                         address=f"四川省第{n + 1:03d}镇", path=institutes[-1][1],
                         is_active=True, created_at=epoch, updated_at=epoch))
    institute_of: dict[int, int] = {}
    for n in range(plan.stations):
        parent, parent_path = institutes[n % len(institutes)]
        site_id = ids.take(sites)
        stations.append((site_id, f"{parent_path}{site_id}/"))
        institute_of[site_id] = parent
        rows.append(dict(id=site_id, kind="station", parent_id=parent, parent_kind="institute",
                         name=f"第{n + 1:04d}村新时代文明实践站", address=f"第{n + 1:04d}村",
                         path=stations[-1][1], is_active=True, created_at=epoch,
                         updated_at=epoch))
    for n in range(plan.points):
        parent, parent_path = stations[rng.randrange(len(stations))]
        site_id = ids.take(sites)
        points.append((site_id, f"{parent_path}{site_id}/"))
        institute_of[site_id] = institute_of[parent]
        rows.append(dict(id=site_id, kind="point", parent_id=parent, parent_kind="station",
                         name=f"第{n + 1:04d}号服务点", address=f"服务点{n + 1:04d}",
                         path=points[-1][1], is_active=True, created_at=epoch,
                         updated_at=epoch))
    for site_id, _path in institutes:
        institute_of[site_id] = site_id
    _chunked(sites, iter(rows), built)
    say(f"sites: {len(rows)}")

    # ---- teams and volunteers ----------------------------------------------------------------
    teams = Team.__table__
    general = ids.take(teams)
    team_rows = [dict(id=general, name="省志愿服务总队", parent_id=None, is_general=True,
                      site_id=center_id, description="", is_active=True, created_at=epoch)]
    team_of: dict[int, int] = {}
    for n, (site_id, _path) in enumerate(institutes):
        team_of[site_id] = ids.take(teams)
        team_rows.append(dict(id=team_of[site_id], name=f"第{n + 1:03d}镇志愿服务队",
                              parent_id=general, is_general=False, site_id=site_id,
                              description="", is_active=True, created_at=epoch))
    _put(teams, team_rows, built)

    homes = [s for s, _ in stations] + [s for s, _ in institutes]
    volunteer_rows, members = [], []
    home_of: list[int] = []  # by volunteer index
    by_institute: dict[int, list[int]] = {}
    led: set[int] = set()
    first_volunteer = ids.next["volunteer"]
    for n in range(plan.volunteers):
        volunteer_id = ids.take(Volunteer.__table__)
        home = homes[rng.randrange(len(homes))]
        home_of.append(home)
        institute = institute_of[home]
        by_institute.setdefault(institute, []).append(volunteer_id)
        volunteer_rows.append(dict(
            id=volunteer_id, number=f"{NUMBER_PREFIX}{first_day.year:04d}{n + 1:06d}",
            name=_name(rng), phone=_phone(rng), home_site_id=home, skills=[], is_active=True,
            password_hash=None, session_epoch=0, created_at=epoch))
        members.append(dict(team_id=team_of[institute], volunteer_id=volunteer_id,
                            is_leader=institute not in led, joined_at=epoch))
        led.add(institute)
    _chunked(Volunteer.__table__, iter(volunteer_rows), built)
    _chunked(TeamMember.__table__, iter(members), built)
    del volunteer_rows, members
    counter = db.session.get(VolunteerNumberCounter, first_day.year)
    if counter is None:
        db.session.add(VolunteerNumberCounter(year=first_day.year, last_value=plan.volunteers))
    else:
        counter.last_value = max(counter.last_value, plan.volunteers)
    db.session.flush()
    say(f"volunteers: {plan.volunteers}")

    # ---- the time bank's accounts, the catalog -----------------------------------------------
    accounts = Account.__table__
    issuance, redemption_account = ids.take(accounts), ids.take(accounts)
    account_rows = [dict(id=issuance, kind="system", code=ISSUANCE, volunteer_id=None,
                         created_at=epoch),
                    dict(id=redemption_account, kind="system", code=REDEMPTION,
                         volunteer_id=None, created_at=epoch)]
    account_of = {}
    for n in range(plan.volunteers):
        account_of[first_volunteer + n] = ids.take(accounts)
        account_rows.append(dict(id=account_of[first_volunteer + n], kind="volunteer",
                                 code=None, volunteer_id=first_volunteer + n,
                                 created_at=epoch))
    _chunked(accounts, iter(account_rows), built)
    del account_rows
    catalog = []
    for site_id, _path in institutes:
        for name, cost in (("爱心超市·大米", 50), ("爱心超市·食用油", 80), ("免费理发", 30)):
            catalog.append(dict(id=ids.take(Item.__table__), site_id=site_id, name=name,
                                kind="goods", description="", cost_points=cost, stock=None,
                                is_active=True, created_at=epoch))
    _put(Item.__table__, catalog, built)
    items_of = {}
    for item in catalog:
        items_of.setdefault(item["site_id"], []).append(item)

    # ---- shifts, their postings and redemptions, day by day ----------------------------------
    rule = DEFAULT_POINTS_PER_HOUR
    balance = {v: 0 for v in account_of}
    days = [first_day + timedelta(days=d) for d in range(DAYS)]
    per_day = _spread(plan.shifts, [3.0 if d.weekday() == 4 else 1.0 for d in days])
    # Points are spent once earned: redemptions grow through the year.
    redemptions_per_day = _spread(max(1, plan.orders // 10), [d + 1.0 for d in range(DAYS)])
    stations_ids = [s for s, _ in stations]
    open_left = max(1, plan.volunteers // 100)  # on duty now: the last day's open shifts
    open_now: set[int] = set()
    shift_rows, transfers, redemptions = [], [], []
    for day, count, redeeming in zip(days, per_day, redemptions_per_day, strict=True):
        start_of_day = datetime.combine(day, clock(8), LOCAL_TZ).astimezone(UTC)
        starts = sorted(rng.randrange(10 * 60) for _ in range(count))
        last_day = day == until
        for offset in starts:
            shift_id = ids.take(Shift.__table__)
            volunteer = first_volunteer + rng.randrange(plan.volunteers)
            site = home_of[volunteer - first_volunteer] if rng.random() < 0.9 else \
                stations_ids[rng.randrange(len(stations_ids))]
            started = start_of_day + timedelta(minutes=offset, seconds=rng.randrange(60))
            method = rng.choices(("kiosk", "presence", "poster"), (60, 30, 10))[0]
            minutes = rng.choice((30, 45, 60, 60, 90, 120, 120, 180, 240))
            row = dict(id=shift_id, volunteer_id=volunteer, site_id=site, started_at=started,
                       start_method=method, is_verified=method != "poster",
                       review_reason="", reviewed_by_user_id=None, note="",
                       start_device_id=None, end_device_id=None, created_at=started)
            if last_day and open_left and volunteer not in open_now:
                open_now.add(volunteer)
                open_left -= 1
                row.update(ended_at=None, end_method=None, credited_minutes=None,
                           review="pending" if method == "poster" else "none",
                           flags=["unverified"] if method == "poster" else [])
                shift_rows.append(row)
                continue
            ended = started + timedelta(minutes=minutes, seconds=rng.randrange(60))
            review = "none" if method != "poster" else \
                rng.choices(("pending", "approved", "rejected"), (40, 45, 15))[0]
            row.update(ended_at=ended, end_method=method, credited_minutes=minutes,
                       review=review, flags=["unverified"] if method == "poster" else [])
            shift_rows.append(row)
            if review in ("none", "approved"):
                amount = points_for_minutes(minutes, rule)
                transfers.append(dict(
                    id=ids.take(Transfer.__table__), debit_account_id=issuance,
                    credit_account_id=account_of[volunteer], amount=amount,
                    source_type="shift", source_id=str(shift_id), reverses_transfer_id=None,
                    minutes=minutes, memo="", actor=ACTOR, created_at=ended))
                balance[volunteer] += amount
        for _ in range(redeeming):
            volunteer = first_volunteer + rng.randrange(plan.volunteers)
            item = rng.choice(items_of[institute_of[home_of[volunteer - first_volunteer]]])
            if balance[volunteer] < item["cost_points"]:
                continue
            at = start_of_day + timedelta(hours=11, minutes=rng.randrange(60))
            redemption_id = ids.take(Redemption.__table__)
            transfer_id = ids.take(Transfer.__table__)
            transfers.append(dict(
                id=transfer_id, debit_account_id=account_of[volunteer],
                credit_account_id=redemption_account, amount=item["cost_points"],
                source_type="redemption", source_id=str(redemption_id),
                reverses_transfer_id=None, minutes=0, memo=f"{item['name']} × 1", actor=ACTOR,
                created_at=at))
            redemptions.append(dict(id=redemption_id, item_id=item["id"],
                                    volunteer_id=volunteer, quantity=1,
                                    points=item["cost_points"], transfer_id=transfer_id,
                                    device_id=None, actor=ACTOR, client_key=None,
                                    created_at=at))
            balance[volunteer] -= item["cost_points"]
        if len(shift_rows) >= CHUNK or last_day:
            _put(Shift.__table__, shift_rows, built)
            _put(Transfer.__table__, transfers, built)  # before the redemptions naming them
            _put(Redemption.__table__, redemptions, built)
            shift_rows, transfers, redemptions = [], [], []
    say(f"shifts: {built.counts.get('shift', 0)}, "
        f"transfers: {built.counts.get('ledger_transfer', 0)}")

    # ---- the service menu, orders and ratings ------------------------------------------------
    menu = []
    for site_id, _path in institutes:
        for k, brand in enumerate(BRANDS):
            menu.append(dict(id=ids.take(ServiceItem.__table__), site_id=site_id,
                             team_id=team_of[site_id],
                             name=_SERVICES[(k + site_id) % len(_SERVICES)], description="",
                             content_area=CONTENT_AREAS[k], brand=brand,
                             expected_minutes=60, is_active=True, created_at=epoch))
    _put(ServiceItem.__table__, menu, built)
    menu_of = {}
    for item in menu:
        menu_of.setdefault(item["site_id"], []).append(item["id"])
    ordered = [s for s, _ in stations] + [s for s, _ in points]
    span = DAYS * 24 * 60 - 8 * 60  # placed by the evening of the last day
    order_rows, ratings = [], []
    for _ in range(plan.orders):
        order_id = ids.take(Order.__table__)
        site = ordered[rng.randrange(len(ordered))]
        institute = institute_of[site]
        placed = epoch + timedelta(minutes=rng.randrange(span))
        status = rng.choices(("rated", "completed", "cancelled", "placed", "dispatched",
                              "accepted", "in_service"), (60, 15, 5, 5, 5, 5, 5))[0]
        row = dict(id=order_id, number=f"{placed.astimezone(LOCAL_TZ):%y%m%d}{order_id:05d}",
                   site_id=site, item_id=rng.choice(menu_of[institute]), status=status,
                   channel=rng.choices(("phone", "kiosk", "admin"), (70, 25, 5))[0],
                   phone=_phone(rng), place="", note="", preferred_at=None, latitude=None,
                   longitude=None, unit_site_id=site, team_id=None, volunteer_id=None,
                   is_pool=False, is_flagged=False, flag_reason="", device_id=None,
                   service_minutes=None, placed_at=placed, dispatched_at=None,
                   escalated_at=None, accepted_at=None, started_at=None, completed_at=None,
                   closed_at=None, updated_at=placed)
        moment = placed
        if status not in ("placed", "cancelled"):
            moment += timedelta(minutes=rng.randrange(5, 90))
            row.update(dispatched_at=moment, team_id=team_of[institute], updated_at=moment)
        if status in ("accepted", "in_service", "completed", "rated"):
            moment += timedelta(minutes=rng.randrange(5, 180))
            row.update(accepted_at=moment, updated_at=moment,
                       volunteer_id=rng.choice(by_institute.get(institute)
                                               or [first_volunteer]))
        if status in ("in_service", "completed", "rated"):
            moment += timedelta(minutes=rng.randrange(10, 600))
            row.update(started_at=moment, updated_at=moment)
        if status in ("completed", "rated"):
            service = rng.choice((30, 60, 60, 90, 120))
            moment += timedelta(minutes=service)
            row.update(completed_at=moment, service_minutes=service, updated_at=moment)
        if status == "cancelled":
            moment += timedelta(minutes=rng.randrange(5, 120))
            row.update(closed_at=moment, updated_at=moment)
        if status == "rated":
            moment += timedelta(minutes=rng.randrange(30, 3000))
            row.update(closed_at=moment, updated_at=moment)
            ratings.append(dict(id=ids.take(Rating.__table__), order_id=order_id,
                                volunteer_id=row["volunteer_id"],
                                stars=rng.choices((5, 4, 3, 2, 1), (55, 25, 10, 5, 5))[0],
                                tags=[], comment="", channel=row["channel"] if
                                row["channel"] != "admin" else "phone", created_at=moment))
        order_rows.append(row)
        if len(order_rows) >= CHUNK:
            _put(Order.__table__, order_rows, built)
            _put(Rating.__table__, ratings, built)
            order_rows, ratings = [], []
    _put(Order.__table__, order_rows, built)
    _put(Rating.__table__, ratings, built)
    say(f"orders: {built.counts.get('service_order', 0)}, "
        f"ratings: {built.counts.get('order_rating', 0)}")

    # ---- kiosks: one per institute, heard from in the last hour ------------------------------
    now = datetime.combine(until, clock(12), LOCAL_TZ).astimezone(UTC)
    kiosks = [dict(id=ids.take(Device.__table__), site_id=site_id, name=f"服务终端{n + 1:03d}",
                   secret_hash=hash_secret(secrets.token_urlsafe(32)),
                   presence_secret_encrypted=sealed_presence_secret(secrets.token_bytes(32)),
                   enrolled_at=epoch, revoked_at=None, revoke_reason="",
                   last_seen_at=now - timedelta(minutes=rng.randrange(120)),
                   clock_offset_ms=rng.randrange(-3000, 3000), app_version=_KIOSK_VERSION,
                   outbox_length=rng.randrange(5))
              for n, (site_id, _path) in enumerate(institutes)]
    _put(Device.__table__, kiosks, built)

    _admins(center_id, institutes[0][0])
    _continue_sequences(ids)
    audit.record("demo.province", actor=ACTOR, seed=seed, scale=scale,
                 until=until.isoformat(), counts=built.counts)
    built.seconds = time.monotonic() - begun
    return built


def _admins(center_id: int, institute_id: int) -> None:
    from ..users.models import AdminUser
    from ..users.operations import create_user

    for username, role, site_id in ((DISTRICT_ADMIN, "district_admin", center_id),
                                    (INSTITUTE_ADMIN, "institute_admin", institute_id)):
        if db.session.scalar(select(AdminUser.id).where(AdminUser.username == username)):
            continue
        create_user(username, DEMO_PASSWORD, role, db.session.get(Site, site_id),
                    display_name=username, actor=ACTOR)


def _continue_sequences(ids: _Ids) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move: set each to
    the largest id written, so the next row the application adds gets a free one."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in ids.next:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))


def settle() -> None:
    """After the bulk load (committed): fresh planner statistics, so the first report does not
    plan for empty tables; on PostgreSQL a VACUUM too (index-only scans need the visibility
    map), on SQLite the write-ahead log folded back into the database file."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        return
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def digest() -> str:
    """A fingerprint of the generated business rows (not the kiosks' random secrets), the
    same on both databases for the same seed and day."""
    h = hashlib.sha256()
    queries = [
        select(Site.id, Site.kind, Site.parent_id, Site.name, Site.path).order_by(Site.id),
        select(Volunteer.id, Volunteer.number, Volunteer.name, Volunteer.phone,
               Volunteer.home_site_id).order_by(Volunteer.id),
        select(Shift.id, Shift.volunteer_id, Shift.site_id, Shift.started_at, Shift.ended_at,
               Shift.credited_minutes, Shift.review).order_by(Shift.id),
        select(Order.id, Order.number, Order.site_id, Order.item_id, Order.status,
               Order.placed_at, Order.accepted_at, Order.completed_at,
               Order.volunteer_id).order_by(Order.id),
        select(Rating.order_id, Rating.stars).order_by(Rating.order_id),
        select(Transfer.id, Transfer.debit_account_id, Transfer.credit_account_id,
               Transfer.amount, Transfer.source_type, Transfer.source_id).order_by(Transfer.id),
        select(Redemption.id, Redemption.volunteer_id, Redemption.points,
               Redemption.created_at).order_by(Redemption.id),
    ]
    for query in queries:
        for row in db.session.execute(query.execution_options(yield_per=CHUNK)):
            h.update(repr(tuple(_plain(v) for v in row)).encode())
    return h.hexdigest()


def _plain(value):
    if isinstance(value, datetime):  # SQLite gives naive UTC, PostgreSQL aware
        return value.replace(tzinfo=None).isoformat() if value.tzinfo is None else \
            value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return value
