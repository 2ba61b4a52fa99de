"""The rhythm in numbers, for the dashboard and the reports page: activities held,
participants and hours, by brand, content area, unit and month.

Contract for the reports page: `counts(root, first_month, last_month, now=None) -> Counts`
(every figure in a subtree, local months inclusive) and `projects.operations.completion`
for the 一月一助 board's completion."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.fields import month_bounds, next_month
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..extensions import db
from ..orders.models import BRANDS, CONTENT_AREAS
from ..sites.models import Site
from . import attendance
from .models import Activity, ActivitySignup


@dataclass
class Tally:
    activities: int = 0  # scheduled in the period
    held: int = 0  # of those, over by now
    volunteer_attendances: int = 0  # person-times (人次): volunteers signed in by code
    resident_registrations: int = 0  # residents registered for a held activity
    minutes: int = 0  # counted minutes of the linked shifts

    @property
    def participants(self) -> int:
        return self.volunteer_attendances + self.resident_registrations

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class Counts:
    root_id: int
    first_month: date
    last_month: date
    total: Tally = field(default_factory=Tally)
    by_brand: dict[str, Tally] = field(default_factory=dict)
    by_area: dict[str, Tally] = field(default_factory=dict)
    by_unit: dict[str, Tally] = field(default_factory=dict)
    by_month: dict[str, Tally] = field(default_factory=dict)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def counts(root: Site, first_month: date, last_month: date,
           now: datetime | None = None) -> Counts:
    """Every figure for activities that start within the months (local), in `root`'s subtree.
    Units are the sites right below the root (institutes, for the district)."""
    now = now or utcnow()
    result = Counts(root.id, first_month, last_month)
    result.by_brand = {b: Tally() for b in BRANDS}
    result.by_area = {a: Tally() for a in CONTENT_AREAS}
    result.by_month = {m.strftime("%Y-%m"): Tally()
                       for m in months_between(first_month, last_month)}
    since, _ = month_bounds(first_month)
    _, until = month_bounds(last_month)
    inside = select(Site.id).where(Site.path.startswith(root.path, autoescape=True))
    activities = list(db.session.scalars(
        select(Activity).options(selectinload(Activity.site)).where(
        Activity.site_id.in_(inside), Activity.status == "scheduled",
        Activity.starts_at >= since, Activity.starts_at < until)))
    units = _units(root)
    linked = attendance.linked_in(activities, subtree=root)
    residents = _resident_registrations([a.id for a in activities
                                         if as_utc(a.ends_at) <= now])
    for activity in activities:
        held = as_utc(activity.ends_at) <= now
        signs = linked.get(activity.id, [])
        month = as_utc(activity.starts_at).astimezone(LOCAL_TZ).strftime("%Y-%m")
        unit = units.get(_unit_id(root, activity.site), root.name)
        for tally in (result.total, result.by_brand.setdefault(activity.brand, Tally()),
                      result.by_area.setdefault(activity.content_area, Tally()),
                      result.by_unit.setdefault(unit, Tally()),
                      result.by_month.setdefault(month, Tally())):
            tally.activities += 1
            tally.held += held
            tally.volunteer_attendances += len({s.volunteer_id for s in signs})
            tally.resident_registrations += residents.get(activity.id, 0)
            tally.minutes += sum(s.counted_minutes for s in signs)
    result.by_unit = dict(sorted(result.by_unit.items(), key=lambda kv: -kv[1].activities))
    return result


def _units(root: Site) -> dict[int, str]:
    return {s.id: s.name for s in db.session.scalars(select(Site).where(
        Site.parent_id == root.id))}


def _unit_id(root: Site, site: Site) -> int | None:
    ids = site.ancestor_ids + [site.id]
    depth = len(root.ancestor_ids) + 1
    return ids[depth] if len(ids) > depth else None


def _resident_registrations(activity_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for start in range(0, len(activity_ids), 500):
        for activity_id, count in db.session.execute(
                select(ActivitySignup.activity_id, func.count()).where(
                    ActivitySignup.activity_id.in_(activity_ids[start:start + 500]),
                    ActivitySignup.status == "confirmed", ActivitySignup.phone.is_not(None))
                .group_by(ActivitySignup.activity_id)):
            found[activity_id] = count
    return found


def claim_hours(claims: list, month: date) -> dict[int, float]:
    """The hours behind each 一月一助 claim: the counted hours of sign-ins at the month's
    activities of the claimed project, held by the claimant (at a site in the claiming
    unit's subtree, or organised by the claiming team)."""
    project_ids = sorted({c.project_id for c in claims})
    if not project_ids:
        return {}
    since, until = month_bounds(month)
    activities = list(db.session.scalars(
        select(Activity).options(selectinload(Activity.site)).where(
            Activity.project_id.in_(project_ids), Activity.status == "scheduled",
            Activity.starts_at >= since, Activity.starts_at < until)))
    linked = attendance.linked_in(activities)
    minutes = {a.id: sum(s.counted_minutes for s in linked.get(a.id, [])) for a in activities}
    hours = {}
    for claim in claims:
        total = 0
        for a in activities:
            if a.project_id != claim.project_id:
                continue
            if claim.claimant_site_id is not None and claim.claimant_site is not None:
                mine = claim.claimant_site.contains(a.site)
            else:
                mine = a.team_id == claim.claimant_team_id
            total += minutes[a.id] if mine else 0
        hours[claim.id] = round(total / 60, 1)
    return hours
