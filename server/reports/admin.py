"""Dashboard: the reports page for the admin's subtree and a period, charts with tables."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request, url_for

from ..core.auth import current_user, login_required, require_site
from ..core.export import export_format
from ..core.i18n import _, _l
from ..core.paging import date_range
from ..core.schema import parse_id
from ..core.timeutil import LOCAL_TZ, utcnow
from ..orders.states import STATUS_LABELS
from .charts import bars
from .export import hours_export
from .figures import period_for, report

bp = Blueprint("reports_admin", __name__, url_prefix="/admin/reports",
               template_folder="templates")

PERIODS = {"today": _l("Today"), "week": _l("This week"), "month": _l("This month"),
           "year": _l("This year"), "custom": _l("Custom")}


@bp.get("/")
@login_required
def page():
    args = request.args
    site_id = (args.get("site") or "").strip()
    # Digits that cannot be an id (too many of them) name no site: 404, as a missing one.
    root = require_site(parse_id(site_id) or 0) if site_id.isdigit() else current_user().site
    kind = args.get("period") if args.get("period") in PERIODS else "month"
    asked = date_range(args)
    today: date = utcnow().astimezone(LOCAL_TZ).date()
    period = period_for(kind, today, asked.first, asked.last)
    fmt = export_format(args)
    if fmt:
        return hours_export(root, period, fmt)
    figures = report(root, period)
    span = {"from": period.first.isoformat(), "to": period.last.isoformat()}

    def shifts_link(site=None, **extra):
        return url_for("shifts_admin.listing", site=site or root.id, **span, **extra)

    def orders_link(**extra):
        return url_for("orders_admin.board_page", site=root.id, **span, **extra)

    charts = {
        "unit": bars([(r.label, r.value, shifts_link(r.site_id)) for r in figures.by_unit],
                     _("Hours of service by unit"), _(" h")),
        "month": bars([(r.label, r.value, url_for("shifts_admin.listing", site=root.id,
                                                  **r.extra))
                       for r in figures.by_month], _("Hours of service by month"), _(" h")),
        "volunteers": bars([(r.label, r.value, shifts_link(volunteer=r.extra["number"]))
                            for r in figures.top_volunteers],
                           _("Volunteers with most hours"), _(" h")),
        "teams": bars([(r.label, r.value, shifts_link(team=r.extra["team"]))
                       for r in figures.top_teams], _("Teams with most hours"), _(" h")),
        "brand": bars([(r.label, r.value, orders_link(brand=r.label))
                       for r in figures.orders_by_brand], _("Orders by brand")),
        "area": bars([(r.label, r.value, orders_link(area=r.label))
                      for r in figures.orders_by_area], _("Orders by content area")),
        "stars": bars([(_("%(n)d stars", n=n), count, orders_link(stars=n))
                       for n, count in figures.ratings.items()], _("Ratings")),
    }
    return render_template("reports/page.html", root=root, figures=figures, charts=charts,
                           periods=PERIODS, kind=kind, args=args, span=span,
                           status_labels=STATUS_LABELS, shifts_link=shifts_link,
                           orders_link=orders_link)
