"""Demo shifts: the last four Fridays (the district's concentrated activity day), so the
dashboard, the time bank and the honor of hours are not empty on a new install."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..core.timeutil import LOCAL_TZ, utcnow
from ..extensions import db
from ..volunteers.models import Volunteer
from .models import Shift
from .operations import sign

FRIDAYS = 4
PER_FRIDAY = 40


def _past_fridays(now: datetime) -> list[datetime]:
    local = now.astimezone(LOCAL_TZ).replace(hour=9, minute=0, second=0, microsecond=0)
    back = (local.weekday() - 4) % 7 or 7  # the last Friday strictly before today
    last = local - timedelta(days=back)
    return [last - timedelta(weeks=w) for w in reversed(range(FRIDAYS))]


def load() -> dict[str, int]:
    if db.session.scalar(select(Shift.id).limit(1)) is not None:
        return {"shifts": 0}  # the demo adds history only to a network that has none
    volunteers = list(db.session.scalars(
        select(Volunteer).where(Volunteer.is_active.is_(True)).order_by(Volunteer.id)))
    added = 0
    for week, friday in enumerate(_past_fridays(utcnow())):
        # A different, overlapping group each week; start and length vary by volunteer.
        group = volunteers[week * 25:week * 25 + PER_FRIDAY - 6 + week * 4]
        for index, volunteer in enumerate(group):
            start = friday + timedelta(minutes=(index % 6) * 10)
            end = start + timedelta(minutes=90 + ((index + week * 5) * 17) % 150)
            site = volunteer.home_site
            sign(volunteer, site, start, method="kiosk", verified=True, direction="in")
            sign(volunteer, site, end, method="kiosk", verified=True, direction="out")
            added += 1
    return {"shifts": added}
