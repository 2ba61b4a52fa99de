"""The hours export: each volunteer's sign-ins and counted minutes, month by month, for the
reports page's subtree and period (the same counting as the page's figures)."""

from __future__ import annotations

from flask import request
from sqlalchemy import case, func, select

from ..core.export import export_response, full_records_allowed, stream
from ..core.i18n import _
from ..shifts.models import Shift
from ..sites.models import Site
from ..volunteers.models import Volunteer, mask_name
from .figures import COUNTED, Period


def hours_export(root: Site, period: Period, fmt: str):
    full = full_records_allowed(request.args)
    path = root.path  # read now: the export's audit entry ends the page's transaction
    header = [_("Month"), _("Volunteer number"), _("Volunteer"), _("Home site"),
              _("Sign-ins"), _("Minutes"), _("Hours")]
    home = Site.__table__.alias("home")
    counted = func.coalesce(func.sum(case((Shift.review.in_(COUNTED), Shift.credited_minutes),
                                          else_=0)), 0)

    def rows():
        for label, start, end in period.months():  # one grouped statement per month
            by_volunteer = (
                select(Shift.volunteer_id, func.count(Shift.id).label("sign_ins"),
                       counted.label("minutes"))
                .join(Site, Site.id == Shift.site_id)
                .where(Site.path.startswith(path, autoescape=True),
                       Shift.started_at >= start, Shift.started_at < end)
                .group_by(Shift.volunteer_id).subquery())
            month = (select(Volunteer.number, Volunteer.name, home.c.name,
                            by_volunteer.c.sign_ins, by_volunteer.c.minutes)
                     .join(by_volunteer, by_volunteer.c.volunteer_id == Volunteer.id)
                     .join(home, home.c.id == Volunteer.home_site_id)
                     .order_by(Volunteer.number))
            for number, name, home_name, sign_ins, minutes in stream(month):
                yield (label, number, name if full else mask_name(name), home_name,
                       int(sign_ins), int(minutes), round(int(minutes) / 60, 2))

    return export_response("hours", fmt, header, rows, title=_("Hours by volunteer and month"),
                           full_records=full)
