"""The reports page's figures for one admin's subtree and period, each traceable to records."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from ..core.timeutil import LOCAL_TZ, as_utc
from ..extensions import db
from ..ledger.models import Item, Redemption
from ..orders.models import BRANDS, CONTENT_AREAS, Order, Rating, ServiceItem
from ..shifts.models import Shift
from ..sites.models import Site
from ..volunteers.models import Volunteer

COUNTED = ("none", "approved")  # reviews whose minutes count


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
    return (select(Shift).join(Site, Site.id == Shift.site_id)
            .where(_under(root), Shift.started_at >= start, Shift.started_at < end))


def _quantiles(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return round(values[0], 1), round(values[0], 1)
    p90 = statistics.quantiles(values, n=10, method="inclusive")[-1]
    return round(statistics.median(values), 1), round(p90, 1)


def _hours_by_unit_and_month(root: Site, period: Period, children: list[Site]):
    """One grouped scan of the period's shifts: (sign-ins, counted minutes) by the site's
    path and month. Units and months are folded from it in Python, so a province of 400
    institutes costs one statement, not one per unit."""
    months = period.months()
    month_of = case(*[(Shift.started_at < end, i) for i, (_l, _s, end) in enumerate(months)],
                    else_=len(months) - 1)
    counted = func.coalesce(func.sum(case((Shift.review.in_(COUNTED), Shift.credited_minutes),
                                          else_=0)), 0)
    rows = db.session.execute(
        _shifts(root, period.start, period.end).with_only_columns(
            Site.path, month_of.label("month"), func.count(Shift.id), counted)
        .group_by(Site.path, month_of)).all()
    depth = len(root.path.strip("/").split("/"))
    unit_of = {str(c.id): c.id for c in children}
    sign_ins = minutes = 0
    by_unit = dict.fromkeys(unit_of.values(), 0)
    by_month = [0] * len(months)
    for path, month, count, counted_minutes in rows:
        sign_ins += count
        minutes += int(counted_minutes)
        by_month[int(month)] += int(counted_minutes)
        parts = path.strip("/").split("/")
        unit = unit_of.get(parts[depth]) if len(parts) > depth else None
        if unit is not None:
            by_unit[unit] += int(counted_minutes)
    return sign_ins, minutes, by_unit, by_month


def report(root: Site, period: Period) -> Report:
    start, end = period.start, period.end
    shifts = _shifts(root, start, end)
    active = db.session.scalar(shifts.with_only_columns(
        func.count(func.distinct(Shift.volunteer_id)))) or 0
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
    top = db.session.execute(
        shifts.where(Shift.review.in_(COUNTED)).with_only_columns(
            Shift.volunteer_id, func.sum(Shift.credited_minutes).label("minutes"))
        .group_by(Shift.volunteer_id).order_by(func.sum(Shift.credited_minutes).desc(),
                                               Shift.volunteer_id).limit(10)).all()
    people = {v.id: v for v in db.session.scalars(
        select(Volunteer).where(Volunteer.id.in_([r.volunteer_id for r in top])))}
    top_volunteers = [Row(people[r.volunteer_id].masked_name, round((r.minutes or 0) / 60, 1),
                          extra={"number": people[r.volunteer_id].number}) for r in top]

    orders = (select(Order).join(Site, Site.id == Order.site_id)
              .where(_under(root), Order.placed_at >= start, Order.placed_at < end))
    by_status = dict(db.session.execute(orders.with_only_columns(Order.status, func.count())
                                        .group_by(Order.status)).all())
    by_item = orders.join(ServiceItem, ServiceItem.id == Order.item_id)
    brands = dict(db.session.execute(by_item.with_only_columns(ServiceItem.brand, func.count())
                                     .group_by(ServiceItem.brand)).all())
    areas = dict(db.session.execute(by_item.with_only_columns(ServiceItem.content_area,
                                                              func.count())
                                    .group_by(ServiceItem.content_area)).all())
    times = db.session.execute(orders.with_only_columns(
        Order.placed_at, Order.accepted_at, Order.completed_at)).all()
    accept = [(as_utc(a) - as_utc(p)).total_seconds() / 60 for p, a, _c in times if a]
    complete = [(as_utc(c) - as_utc(p)).total_seconds() / 60 for p, _a, c in times if c]
    stars = dict(db.session.execute(orders.join(Rating, Rating.order_id == Order.id)
                                    .with_only_columns(Rating.stars, func.count())
                                    .group_by(Rating.stars)).all())
    rated = sum(stars.values())
    redeemed = db.session.execute(
        select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.points), 0))
        .join(Item, Item.id == Redemption.item_id).join(Site, Site.id == Item.site_id)
        .where(_under(root), Redemption.created_at >= start, Redemption.created_at < end)).one()
    return Report(
        period=period, sign_ins=int(sign_ins), minutes=minutes,
        active_volunteers=int(active), by_unit=by_unit, by_month=by_month,
        top_volunteers=top_volunteers, orders_by_status=by_status,
        orders_by_brand=[Row(b, brands.get(b, 0)) for b in BRANDS],
        orders_by_area=[Row(a, areas.get(a, 0)) for a in CONTENT_AREAS],
        accept_minutes=_quantiles(accept), complete_minutes=_quantiles(complete),
        ratings={n: stars.get(n, 0) for n in range(5, 0, -1)},
        average_stars=round(sum(k * v for k, v in stars.items()) / rated, 2) if rated else None,
        redemptions=int(redeemed[0]), redeemed_points=int(redeemed[1]))
