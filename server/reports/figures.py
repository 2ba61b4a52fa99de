"""The reports page's figures for one admin's subtree and period, each traceable to records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import BigInteger, case, cast, extract, func, literal, select, union_all
from sqlalchemy.dialects import postgresql

from ..core.timeutil import LOCAL_TZ
from ..extensions import db
from ..ledger.models import Item, Redemption
from ..orders.models import BRANDS, CONTENT_AREAS, Order, Rating, ServiceItem
from ..shifts.models import Shift
from ..sites.models import Site
from ..sites.operations import within
from ..volunteers.models import Team, TeamMember, Volunteer
from .models import COUNTED, ShiftMonth


@dataclass(frozen=True)
class Period:
    first: date  # local days, both included
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), LOCAL_TZ)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL_TZ)

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """("YYYY-MM", start, end) of each month the period touches, clipped to it."""
        out, day = [], self.first.replace(day=1)
        while day <= self.last:
            following = (day + timedelta(days=32)).replace(day=1)
            start = max(datetime.combine(day, time(), LOCAL_TZ), self.start)
            end = min(datetime.combine(following, time(), LOCAL_TZ), self.end)
            out.append((day.strftime("%Y-%m"), start, end))
            day = following
        return out


def period_for(kind: str, today: date, first: date | None = None,
               last: date | None = None) -> Period:
    if kind == "today":
        return Period(today, today)
    if kind == "week":
        return Period(today - timedelta(days=today.weekday()), today)
    if kind == "year":
        return Period(today.replace(month=1, day=1), today)
    if kind == "custom" and first and last:
        return Period(first, last)
    return Period(today.replace(day=1), today)


@dataclass
class Row:
    label: str
    value: float
    site_id: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Report:
    period: Period
    sign_ins: int
    minutes: int
    active_volunteers: int
    by_unit: list[Row]  # hours by the sites right below the root
    by_month: list[Row]  # hours by month
    top_volunteers: list[Row]
    top_teams: list[Row]  # hours of the teams' current members' shifts in the subtree
    orders_by_status: dict[str, int]
    orders_by_brand: list[Row]
    orders_by_area: list[Row]
    accept_minutes: tuple[float | None, float | None]  # median, 90th percentile
    complete_minutes: tuple[float | None, float | None]
    ratings: dict[int, int]  # stars -> count
    average_stars: float | None
    redemptions: int
    redeemed_points: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def _under(root: Site):
    return Site.path.startswith(root.path, autoescape=True)


def _shifts(root: Site, start: datetime, end: datetime):
    return within(select(Shift.id), Shift.site_id, root).where(
        Shift.started_at >= start, Shift.started_at < end)


def _orders(root: Site, start: datetime, end: datetime):
    """The orders placed in [start, end) in root's subtree. Below the center, the subtree's
    sites as IN (subquery): SQLite then walks their ids through the (site_id, ...) indexes,
    where with a join it took the period's whole range (654 ms for an institute's year of a
    province, 10 ms this way)."""
    query = select(Order.id).where(Order.placed_at >= start, Order.placed_at < end)
    if root.parent_id is None:
        return query
    return query.where(Order.site_id.in_(select(Site.id).where(_under(root))))


def _whole(start: datetime, end: datetime) -> bool:
    """Whether [start, end) is one whole local month (Period.months() clips the edges)."""
    return start.day == 1 and end.date() == (start.date() + timedelta(days=32)).replace(day=1)


COUNTED_MINUTES = func.coalesce(func.sum(case((Shift.review.in_(COUNTED),
                                               Shift.credited_minutes), else_=0)), 0)


def _hours_by_unit_and_month(root: Site, period: Period, children: list[Site]):
    """(sign-ins, counted minutes) by site and by month: whole months from the monthly rollup
    (reports.models.ShiftMonth, kept by triggers), summed by the database per site and per
    month; the clipped months at the period's edges from the shifts themselves. Units are
    folded from the per-site sums in Python, so a province of 400 institutes, 10,000 sites and
    a year costs four statements and 10,000 rows, not one statement per unit or month."""
    months = period.months()
    whole = {label: i for i, (label, start, end) in enumerate(months) if _whole(start, end)}
    by_month = [0] * len(months)
    per_site: list[tuple[str, int, int]] = []  # (path, sign-ins, minutes)
    if whole:
        rollup = select(ShiftMonth).join(Site, Site.id == ShiftMonth.site_id).where(
            _under(root), ShiftMonth.month.in_(list(whole)))
        for month, minutes in db.session.execute(rollup.with_only_columns(
                ShiftMonth.month, func.sum(ShiftMonth.minutes)).group_by(ShiftMonth.month)):
            by_month[whole[month]] = int(minutes)
        per_site += db.session.execute(rollup.with_only_columns(
            Site.path, func.sum(ShiftMonth.sign_ins), func.sum(ShiftMonth.minutes))
            .group_by(Site.path)).all()
    for i, (label, start, end) in enumerate(months):
        if label not in whole:
            edge = db.session.execute(
                select(Site.path, func.count(Shift.id), COUNTED_MINUTES)
                .join(Site, Site.id == Shift.site_id)
                .where(_under(root), Shift.started_at >= start, Shift.started_at < end)
                .group_by(Site.path)).all()
            by_month[i] = sum(int(minutes) for _p, _c, minutes in edge)
            per_site += edge
    depth = len(root.path.strip("/").split("/"))
    unit_of = {str(c.id): c.id for c in children}
    sign_ins = minutes = 0
    by_unit = dict.fromkeys(unit_of.values(), 0)
    for path, count, counted_minutes in per_site:
        sign_ins += int(count)
        minutes += int(counted_minutes)
        parts = path.strip("/").split("/", depth + 1)
        unit = unit_of.get(parts[depth]) if len(parts) > depth else None
        if unit is not None:
            by_unit[unit] += int(counted_minutes)
    return sign_ins, minutes, by_unit, by_month


def _volunteers_and_teams(root: Site, period: Period):
    """The period's active volunteers (any shift), the ten volunteers with most counted minutes
    and the ten teams whose members have most, as (active, [(volunteer id, minutes)], [(team
    id, minutes)]), from one statement: the shifts are grouped by volunteer once (a CTE), the
    count is a window over those groups taken before the limit, and the teams sum their
    current members' groups. Zero-minute volunteers and teams are left out of the rankings."""
    per = (_shifts(root, period.start, period.end)
           .with_only_columns(Shift.volunteer_id.label("volunteer_id"),
                              COUNTED_MINUTES.label("minutes"))
           .group_by(Shift.volunteer_id).cte("per_volunteer"))
    people = (select(literal("volunteer").label("kind"), per.c.volunteer_id.label("id"),
                     per.c.minutes, func.count().over().label("active"))
              .order_by(per.c.minutes.desc(), per.c.volunteer_id).limit(10).subquery())
    team_minutes = func.sum(per.c.minutes)
    teams = (select(literal("team").label("kind"), TeamMember.team_id.label("id"),
                    team_minutes.label("minutes"), literal(0).label("active"))
             .select_from(per).join(TeamMember, TeamMember.volunteer_id == per.c.volunteer_id)
             .group_by(TeamMember.team_id).having(team_minutes > 0)
             .order_by(team_minutes.desc(), TeamMember.team_id).limit(10).subquery())
    rows = db.session.execute(union_all(select(people), select(teams))).all()
    active = next((int(r.active) for r in rows if r.kind == "volunteer"), 0)
    ranked = sorted(rows, key=lambda r: (-int(r.minutes), r.id))
    return (active, [(r.id, int(r.minutes)) for r in ranked if r.kind == "volunteer" and r.minutes],
            [(r.id, int(r.minutes)) for r in ranked if r.kind == "team"])


def _seconds_between(later, earlier):
    """Whole seconds from one timestamp column to another, as each database spells it (whole,
    so that both databases and Python agree to the last digit of a rounded figure)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0)
    return cast(func.round(extract("epoch", later - earlier)), BigInteger)


def _wanted_ranks(n: int) -> tuple[int, ...]:
    """The 0-based ranks the median and the 90th percentile of n sorted values interpolate
    between (statistics.median; statistics.quantiles(n=10, method="inclusive")[-1])."""
    last = n - 1
    return tuple(sorted({last // 2, min(last // 2 + 1, last), 9 * last // 10,
                         min(9 * last // 10 + 1, last)}))


def _ranked_values(orders, later, earlier) -> tuple[int, dict[int, float]]:
    """(n, {rank: seconds}) of the durations from `earlier` to `later` over `orders`, for the
    ranks `_wanted_ranks(n)`: the database counts, sorts, and hands back those values only.
    PostgreSQL picks them with percentile_disc (one sort, no window; the fraction
    (rank + 0.5) / n lands inside the rank's own step whatever the float rounding); SQLite
    numbers the sorted rows with row_number() and keeps the wanted ones."""
    n = int(db.session.scalar(orders.with_only_columns(func.count(later))) or 0)
    if not n:
        return 0, {}
    ranks = _wanted_ranks(n)
    seconds = _seconds_between(later, earlier)
    if db.session.get_bind().dialect.name == "postgresql":
        picked = db.session.scalar(orders.with_only_columns(
            func.percentile_disc(postgresql.array([(r + 0.5) / n for r in ranks]))
            .within_group(seconds)).where(later.is_not(None)))
        return n, {r: float(v) for r, v in zip(ranks, picked, strict=True)}
    durations = orders.with_only_columns(seconds.label("d")).where(later.is_not(None)).subquery()
    ranked = select(durations.c.d, (func.row_number().over(order_by=durations.c.d) - 1)
                    .label("rank")).subquery()
    rows = db.session.execute(select(ranked.c.rank, ranked.c.d)
                              .where(ranked.c.rank.in_(ranks))).all()
    return n, {int(r.rank): float(r.d) for r in rows}


def _quantiles(orders, later, earlier) -> tuple[float | None, float | None]:
    """Median and 90th percentile, in minutes to 0.1, of the whole seconds from `earlier` to
    `later` over `orders`: linear interpolation between closest ranks, exactly as
    statistics.median and statistics.quantiles(method="inclusive") do it."""
    n, value = _ranked_values(orders, later, earlier)
    if not n:
        return None, None
    last = n - 1

    def at(parts: int, of: int) -> float:
        j, delta = divmod(parts * last, of)
        return value[j] if not delta else (value[j] * (of - delta) + value[j + 1] * delta) / of

    return round(at(1, 2) / 60, 1), round(at(9, 10) / 60, 1)


def report(root: Site, period: Period) -> Report:
    start, end = period.start, period.end
    children = db.session.scalars(select(Site).where(Site.parent_id == root.id,
                                                     Site.is_active.is_(True))
                                  .order_by(Site.path)).all()
    sign_ins, minutes, unit_minutes, month_minutes = _hours_by_unit_and_month(
        root, period, children)
    by_unit = [Row(c.name, round(unit_minutes[c.id] / 60, 1), c.id) for c in children]
    by_month = [Row(label, round(month_minutes[i] / 60, 1),
                    extra={"from": s.date().isoformat(),
                           "to": (e - timedelta(days=1)).date().isoformat()})
                for i, (label, s, e) in enumerate(period.months())]
    active, top, best_teams = _volunteers_and_teams(root, period)
    people = {v.id: v for v in db.session.scalars(
        select(Volunteer).where(Volunteer.id.in_([volunteer_id for volunteer_id, _m in top])))}
    top_volunteers = [Row(people[v].masked_name, round(m / 60, 1),
                          extra={"number": people[v].number}) for v, m in top]
    team_names = dict(db.session.execute(select(Team.id, Team.name).where(
        Team.id.in_([team_id for team_id, _m in best_teams]))).all())
    top_teams = [Row(team_names[t], round(m / 60, 1), extra={"team": t}) for t, m in best_teams]

    orders = _orders(root, start, end)
    # Status, brand, area and stars in one statement: grouped by service line first (read
    # from the report index), the lines' brands and areas joined to those groups only.
    per_line = (orders.outerjoin(Rating, Rating.order_id == Order.id)
                .with_only_columns(Order.status, Order.item_id, Rating.stars,
                                   func.count().label("n"))
                .group_by(Order.status, Order.item_id, Rating.stars).subquery())
    counts = db.session.execute(
        select(per_line.c.status, ServiceItem.brand, ServiceItem.content_area,
               per_line.c.stars, func.sum(per_line.c.n))
        .join(ServiceItem, ServiceItem.id == per_line.c.item_id)
        .group_by(per_line.c.status, ServiceItem.brand, ServiceItem.content_area,
                  per_line.c.stars)).all()
    by_status: dict[str, int] = {}
    brands: dict[str, int] = {}
    areas: dict[str, int] = {}
    stars: dict[int, int] = {}
    for status, brand, area, rated_stars, count in counts:
        by_status[status] = by_status.get(status, 0) + count
        brands[brand] = brands.get(brand, 0) + count
        areas[area] = areas.get(area, 0) + count
        if rated_stars is not None:
            stars[rated_stars] = stars.get(rated_stars, 0) + count
    rated = sum(stars.values())
    redeemed = db.session.execute(
        select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.points), 0))
        .join(Item, Item.id == Redemption.item_id).join(Site, Site.id == Item.site_id)
        .where(_under(root), Redemption.created_at >= start, Redemption.created_at < end)).one()
    return Report(
        period=period, sign_ins=int(sign_ins), minutes=minutes,
        active_volunteers=active, by_unit=by_unit, by_month=by_month,
        top_volunteers=top_volunteers, top_teams=top_teams, orders_by_status=by_status,
        orders_by_brand=[Row(b, brands.get(b, 0)) for b in BRANDS],
        orders_by_area=[Row(a, areas.get(a, 0)) for a in CONTENT_AREAS],
        accept_minutes=_quantiles(orders, Order.accepted_at, Order.placed_at),
        complete_minutes=_quantiles(orders, Order.completed_at, Order.placed_at),
        ratings={n: stars.get(n, 0) for n in range(5, 0, -1)},
        average_stars=round(sum(k * v for k, v in stars.items()) / rated, 2) if rated else None,
        redemptions=int(redeemed[0]), redeemed_points=int(redeemed[1]))
