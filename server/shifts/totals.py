"""A volunteer's own record of shifts, as the phone shows it: totals that count and that wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from ..core.timeutil import LOCAL_TZ, as_utc
from ..extensions import db
from ..volunteers.models import Volunteer
from .models import Shift


@dataclass(frozen=True)
class Totals:
    month_minutes: int  # counted, in shifts that started this local month
    counted_minutes: int  # counted, ever
    pending_minutes: int  # ended, waiting for an admin's approval


def shift_totals(volunteer: Volunteer, now: datetime) -> Totals:
    # The local month's start, bound as UTC: SQLite compares stored UTC text, not moments.
    month_start = as_utc(as_utc(now).astimezone(LOCAL_TZ).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0))
    minutes = func.coalesce(Shift.credited_minutes, 0)
    counted = Shift.review.in_(("none", "approved")) & Shift.ended_at.is_not(None)
    row = db.session.execute(select(
        func.coalesce(func.sum(case((counted & (Shift.started_at >= month_start), minutes),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((counted, minutes), else_=0)), 0),
        func.coalesce(func.sum(case((Shift.review == "pending", minutes), else_=0)), 0),
    ).where(Shift.volunteer_id == volunteer.id)).one()
    return Totals(*(int(value) for value in row))
