"""Who came: a sign-in by code at the activity's site during its time (from `grace` minutes
before the start to its end) counts for that activity. Linking happens when attendance is
read, from the shifts as they are — nothing is added to the kiosk's sign path, and an
activity moved or cancelled afterwards counts right at once.

When two activities at one site could both claim a sign-in, it goes to one only: the one the
volunteer signed up for, else the one whose start is nearest the sign-in, else the older."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..shifts.history import SignIn, sign_ins
from .models import Activity, ActivitySignup


def grace() -> timedelta:
    return timedelta(minutes=current_app.config["ACTIVITIES_SIGNIN_GRACE_MINUTES"])


@dataclass(frozen=True, slots=True)
class Window:
    """What linking needs of an activity."""

    id: int
    site_id: int
    starts_at: datetime
    ends_at: datetime


def window(activity: Activity) -> Window:
    return Window(activity.id, activity.site_id, as_utc(activity.starts_at),
                  as_utc(activity.ends_at))


def link(windows: list[Window], signs: list[SignIn], signed_up: set[tuple[int, int]],
         early: timedelta) -> dict[int, int]:
    """{shift id: activity id} for every sign-in that falls in an activity's window."""
    by_site: dict[int, list[Window]] = defaultdict(list)
    for w in windows:
        by_site[w.site_id].append(w)
    linked = {}
    for sign in signs:
        fits = [w for w in by_site.get(sign.site_id, ())
                if w.starts_at - early <= sign.started_at <= w.ends_at]
        if fits:
            best = min(fits, key=lambda w: ((w.id, sign.volunteer_id) not in signed_up,
                                            abs(w.starts_at - sign.started_at), w.id))
            linked[sign.shift_id] = best.id
    return linked


def _signed_up(activity_ids: list[int]) -> set[tuple[int, int]]:
    found = set()
    for start in range(0, len(activity_ids), 500):
        found.update(db.session.execute(
            select(ActivitySignup.activity_id, ActivitySignup.volunteer_id).where(
                ActivitySignup.activity_id.in_(activity_ids[start:start + 500]),
                ActivitySignup.status == "confirmed",
                ActivitySignup.volunteer_id.is_not(None))))
    return found


@dataclass
class Attendance:
    activity_id: int
    shifts: list[SignIn] = field(default_factory=list)
    no_shows: list[ActivitySignup] = field(default_factory=list)

    @property
    def volunteers(self) -> set[int]:
        return {s.volunteer_id for s in self.shifts}

    @property
    def minutes(self) -> int:
        return sum(s.counted_minutes for s in self.shifts)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def of_activity(activity: Activity, *, now: datetime | None = None) -> Attendance:
    """Attendance, hours and no-shows of one activity (no-shows once its time is over)."""
    now = now or utcnow()
    early = grace()
    me = window(activity)
    result = Attendance(activity.id)
    if activity.is_cancelled:
        return result
    # The neighbours at the same site whose windows touch this one compete for sign-ins.
    neighbours = [window(a) for a in db.session.scalars(select(Activity).where(
        Activity.site_id == activity.site_id, Activity.status == "scheduled",
        Activity.starts_at <= me.ends_at + early,
        Activity.ends_at >= me.starts_at - early))]
    signs = sign_ins(since=me.starts_at - early, until=me.ends_at, site_ids=[activity.site_id])
    linked = link(neighbours, signs, _signed_up([w.id for w in neighbours]), early)
    result.shifts = [s for s in signs if linked.get(s.shift_id) == activity.id]
    if me.ends_at <= now:
        came = result.volunteers
        result.no_shows = [s for s in db.session.scalars(select(ActivitySignup).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.status == "confirmed",
            ActivitySignup.volunteer_id.is_not(None)).order_by(ActivitySignup.id))
            if s.volunteer_id not in came]
    return result


def linked_in(activities: list[Activity], *, subtree=None) -> dict[int, list[SignIn]]:
    """{activity id: its linked sign-ins} for many activities at once (the counts)."""
    if not activities:
        return {}
    early = grace()
    windows = [window(a) for a in activities if not a.is_cancelled]
    if not windows:
        return {}
    since = min(w.starts_at for w in windows) - early
    until = max(w.ends_at for w in windows)
    if subtree is not None:
        signs = sign_ins(since=since, until=until, subtree=subtree)
    else:
        signs = sign_ins(since=since, until=until,
                         site_ids=sorted({w.site_id for w in windows}))
    linked = link(windows, signs, _signed_up([w.id for w in windows]), early)
    found: dict[int, list[SignIn]] = defaultdict(list)
    for sign in signs:
        if sign.shift_id in linked:
            found[linked[sign.shift_id]].append(sign)
    return found
