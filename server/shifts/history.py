"""Reading shifts for other features (activities' attendance, counts): one typed record per
sign-in, never the table's rows. Not on the sign path: it adds nothing to a sign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..core.timeutil import as_utc
from ..extensions import db
from ..sites.models import Site
from .models import Shift

# Ways in that read a code at the place: the kiosk's camera, the kiosk's rotating presence
# code on a phone, the poster. An admin's hand entry is not a sign-in by code.
CODE_METHODS = ("kiosk", "presence", "poster")


@dataclass(frozen=True, slots=True)
class SignIn:
    shift_id: int
    volunteer_id: int
    site_id: int
    started_at: datetime
    ended_at: datetime | None
    # Minutes that count toward hours: the shift is closed and credited or approved; else 0.
    counted_minutes: int


def sign_ins(*, since: datetime, until: datetime, site_ids: list[int] | None = None,
             subtree: Site | None = None) -> list[SignIn]:
    """Sign-ins by code that started in [since, until], at the given sites or in a subtree."""
    query = select(Shift.id, Shift.volunteer_id, Shift.site_id, Shift.started_at,
                   Shift.ended_at, Shift.credited_minutes, Shift.review).where(
        Shift.start_method.in_(CODE_METHODS), Shift.started_at >= since,
        Shift.started_at <= until)
    if site_ids is not None:
        query = query.where(Shift.site_id.in_(site_ids))
    if subtree is not None:
        query = query.where(Shift.site_id.in_(
            select(Site.id).where(Site.path.startswith(subtree.path, autoescape=True))))
    found = []
    for row in db.session.execute(query):
        counted = row.credited_minutes if (row.ended_at is not None and row.credited_minutes
                                           and row.review in ("none", "approved")) else 0
        found.append(SignIn(row.id, row.volunteer_id, row.site_id, as_utc(row.started_at),
                            as_utc(row.ended_at) if row.ended_at else None, counted or 0))
    return found


@dataclass(frozen=True, slots=True)
class ShiftLine:
    """One shift of a volunteer's record, as the dashboard shows it."""

    shift_id: int
    site_name: str
    started_at: datetime
    ended_at: datetime | None
    counted_minutes: int
    review: str
    start_method: str


def recent_shifts(volunteer_id: int, limit: int = 30) -> list[ShiftLine]:
    """A volunteer's latest shifts, newest first."""
    rows = db.session.execute(
        select(Shift.id, Site.name, Shift.started_at, Shift.ended_at, Shift.credited_minutes,
               Shift.review, Shift.start_method)
        .join(Site, Site.id == Shift.site_id).where(Shift.volunteer_id == volunteer_id)
        .order_by(Shift.started_at.desc()).limit(limit))
    return [ShiftLine(r.id, r.name, as_utc(r.started_at),
                      as_utc(r.ended_at) if r.ended_at else None,
                      (r.credited_minutes or 0) if r.review in ("none", "approved") else 0,
                      r.review, r.start_method) for r in rows]
