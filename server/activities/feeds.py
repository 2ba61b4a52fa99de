"""iCalendar feeds of activities: per site and per team (public), and a volunteer's own
(a private link whose token only the volunteer holds; the server keeps its SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ..core.i18n import _
from ..core.ical import FeedEvent
from ..core.timeutil import utcnow
from ..extensions import db
from ..volunteers.models import Volunteer
from .display import public_url
from .models import Activity, ActivitySignup, CalendarLink

PAST = timedelta(days=60)
AHEAD = timedelta(days=366)
LIMIT = 2000


def _event(activity: Activity, *, tentative: bool = False) -> FeedEvent:
    lines = [activity.description] if activity.description else []
    lines.append(f"{activity.brand} · {activity.content_area}")
    if activity.theme is not None:
        lines.append(_("Theme of the month: %(t)s", t=activity.theme.title))
    if activity.is_cancelled and activity.cancel_reason:
        lines.append(_("Cancelled: %(r)s", r=activity.cancel_reason))
    return FeedEvent(
        uid=f"activity-{activity.id}@wenming", starts_at=activity.starts_at,
        ends_at=activity.ends_at, summary=activity.title,
        location=" ".join(filter(None, [activity.site.name, activity.site.address])),
        description="\n".join(lines),
        url=public_url("activities_mobile.show", activity_id=activity.id),
        cancelled=activity.is_cancelled, tentative=tentative, updated_at=activity.updated_at)


def _window(query, now: datetime):
    return query.where(Activity.ends_at >= now - PAST, Activity.starts_at <= now + AHEAD) \
        .order_by(Activity.starts_at).limit(LIMIT)


def site_events(site, *, now: datetime | None = None) -> list[FeedEvent]:
    now = now or utcnow()
    query = select(Activity).where(Activity.site_id == site.id, Activity.is_public.is_(True))
    return [_event(a) for a in db.session.scalars(_window(query, now))]


def team_events(team, *, now: datetime | None = None) -> list[FeedEvent]:
    now = now or utcnow()
    query = select(Activity).where(Activity.team_id == team.id)
    return [_event(a) for a in db.session.scalars(_window(query, now))]


def volunteer_events(volunteer: Volunteer, *, now: datetime | None = None) -> list[FeedEvent]:
    """The volunteer's places: confirmed ones as confirmed, waitlisted ones as tentative."""
    now = now or utcnow()
    query = (select(Activity, ActivitySignup.status)
             .join(ActivitySignup, ActivitySignup.activity_id == Activity.id)
             .where(ActivitySignup.volunteer_id == volunteer.id,
                    ActivitySignup.status != "cancelled"))
    return [_event(activity, tentative=status == "waitlisted")
            for activity, status in db.session.execute(_window(query, now))]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_link(volunteer: Volunteer) -> str:
    """A fresh private token for the volunteer's feed; the one before stops working."""
    token = secrets.token_urlsafe(24)
    db.session.execute(delete(CalendarLink).where(CalendarLink.volunteer_id == volunteer.id))
    db.session.add(CalendarLink(volunteer_id=volunteer.id, token_hash=_digest(token)))
    db.session.flush()
    return token


def volunteer_for_token(token: str) -> Volunteer | None:
    if not isinstance(token, str) or not 16 <= len(token) <= 64 or not token.isascii():
        return None
    link = db.session.scalar(select(CalendarLink).where(
        CalendarLink.token_hash == _digest(token)))
    if link is None:
        return None
    volunteer = db.session.get(Volunteer, link.volunteer_id)
    return volunteer if volunteer is not None and volunteer.is_active else None


def has_calendar_link(volunteer: Volunteer) -> bool:
    return db.session.get(CalendarLink, volunteer.id) is not None
