"""The overview's figures for one admin's subtree: people, hours, orders, kiosks, a trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal_column, select

from ..core.timeutil import LOCAL_TZ, utcnow
from ..devices.models import Device
from ..extensions import db
from ..orders.models import Order, Rating
from ..shifts.models import Shift
from ..sites.models import Site
from ..sites.operations import within
from ..volunteers.models import Volunteer

# Written into the SQL, not bound: SQLite uses the partial index ix_shift_pending_site only
# when the query's own text implies its WHERE review = 'pending'.
PENDING = literal_column("'pending'")
OPEN_ORDER_STATUSES = ("placed", "dispatched", "accepted", "in_service", "reopened")
KIOSK_ONLINE = timedelta(minutes=5)
WEEKS = 8


@dataclass
class Overview:
    volunteers: int
    on_duty: int
    hours_this_month: float
    pending_reviews: int
    open_orders: int
    waiting_orders: int
    average_stars: float | None
    kiosks: int
    kiosks_online: int
    weekly_hours: list[tuple[str, float]]


def _in_subtree(column, root: Site):
    return column.in_(select(Site.id).where(Site.path.startswith(root.path, autoescape=True)))


def _month_start(now: datetime) -> datetime:
    return now.astimezone(LOCAL_TZ).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _week_start(now: datetime) -> datetime:
    local = now.astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return local - timedelta(days=local.weekday())


def _credited_minutes(root: Site, since: datetime, until: datetime | None = None) -> int:
    query = within(select(func.coalesce(func.sum(Shift.credited_minutes), 0)), Shift.site_id,
                    root).where(Shift.review.in_(("none", "approved")),
                                Shift.started_at >= since)
    if until is not None:
        query = query.where(Shift.started_at < until)
    return int(db.session.scalar(query))


def overview(root: Site, now: datetime | None = None) -> Overview:
    now = now or utcnow()
    count = lambda query: int(db.session.scalar(query) or 0)  # noqa: E731
    weeks = [_week_start(now) - timedelta(weeks=back) for back in reversed(range(WEEKS))]
    # The eight weeks in one scan of their range, each shift counted in its week's bucket.
    week_of = case(*[(Shift.started_at < start + timedelta(weeks=1), i)
                     for i, start in enumerate(weeks)], else_=WEEKS - 1)
    minutes_by_week = dict(db.session.execute(
        within(select(week_of, func.coalesce(func.sum(Shift.credited_minutes), 0)),
                Shift.site_id, root).where(
            Shift.review.in_(("none", "approved")),
            Shift.started_at >= weeks[0], Shift.started_at < weeks[-1] + timedelta(weeks=1))
        .group_by(week_of)).all())
    weekly = [(start.strftime("%m-%d"), round(int(minutes_by_week.get(i, 0)) / 60, 1))
              for i, start in enumerate(weeks)]
    stars = db.session.scalar(within(
        select(func.avg(Rating.stars)).join(Order, Rating.order_id == Order.id),
        Order.site_id, root))
    return Overview(
        volunteers=count(within(select(func.count()).select_from(Volunteer),
                                 Volunteer.home_site_id, root)
                         .where(Volunteer.is_active.is_(True))),
        on_duty=count(within(select(func.count()).select_from(Shift), Shift.site_id, root)
                      .where(Shift.ended_at.is_(None))),
        hours_this_month=round(_credited_minutes(root, _month_start(now)) / 60, 1),
        pending_reviews=count(within(select(func.count()).select_from(Shift), Shift.site_id,
                                      root).where(Shift.review == PENDING)),
        open_orders=count(select(func.count()).select_from(Order).where(
            Order.status.in_(OPEN_ORDER_STATUSES), _in_subtree(Order.site_id, root))),
        waiting_orders=count(select(func.count()).select_from(Order).where(
            Order.status.in_(("placed", "reopened")), _in_subtree(Order.site_id, root))),
        average_stars=round(float(stars), 1) if stars is not None else None,
        kiosks=count(select(func.count()).select_from(Device).where(
            Device.revoked_at.is_(None), _in_subtree(Device.site_id, root))),
        kiosks_online=count(select(func.count()).select_from(Device).where(
            Device.revoked_at.is_(None), Device.last_seen_at >= now - KIOSK_ONLINE,
            _in_subtree(Device.site_id, root))),
        weekly_hours=weekly,
    )
