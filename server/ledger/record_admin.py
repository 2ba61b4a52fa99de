"""A volunteer's record in the dashboard: hours, points, shifts, services and ratings, with
the statement and the 志愿服务记录证明 PDF — for the admins of the volunteer's home site."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

from ..core.auth import authorize, login_required
from ..core.errors import NotFound
from ..core.i18n import _l
from ..volunteers import operations as volunteers
from .certificate import certificate_pdf, evaluations
from .statement import statement

bp = Blueprint("record_admin", __name__, url_prefix="/admin/volunteers",
               template_folder="templates")


def _volunteer(number: str):
    missing = NotFound(_l("No volunteer with this number."), "volunteer_not_found")
    try:
        volunteer = volunteers.require_by_number(number)
    except NotFound:
        raise missing from None
    authorize(volunteer.home_site, missing=missing)
    return volunteer


@bp.get("/<number>/record")
@login_required
def record(number: str):
    from ..shifts.admin import METHOD_LABELS, REVIEW_LABELS
    from ..shifts.history import recent_shifts

    volunteer = _volunteer(number)
    book = statement(volunteer)
    return render_template("ledger/admin_record.html", v=volunteer, book=book,
                           shifts=recent_shifts(volunteer.id), ratings=evaluations(volunteer),
                           reviews=REVIEW_LABELS, methods=METHOD_LABELS)


@bp.get("/<number>/certificate.pdf")
@login_required
def certificate(number: str):
    volunteer = _volunteer(number)
    pdf, serial = certificate_pdf(volunteer)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{serial}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
