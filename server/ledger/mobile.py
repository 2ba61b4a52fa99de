"""The volunteer's phone pages: my points, my statement, my record certificate; checking one."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

from ..core.timeutil import LOCAL_TZ
from ..extensions import limiter
from ..volunteers.auth import current_volunteer, volunteer_login_required
from . import catalog
from .certificate import certificate_pdf
from .statement import check_certificate_number, statement

bp = Blueprint("ledger_mobile", __name__, url_prefix="/v", template_folder="templates")


@bp.get("/points")
@volunteer_login_required
def points():
    volunteer = current_volunteer()
    book = statement(volunteer)
    offers = catalog.items_for(volunteer.home_site, active_only=True)
    return render_template("ledger/phone_points.html", volunteer=volunteer, book=book,
                           offers=offers, tz=LOCAL_TZ)


@bp.get("/points/statement")
@volunteer_login_required
def my_statement():
    volunteer = current_volunteer()
    return render_template("ledger/phone_statement.html", volunteer=volunteer,
                           book=statement(volunteer), tz=LOCAL_TZ)


@bp.get("/points/certificate.pdf")
@volunteer_login_required
@limiter.limit("20 per minute")
def my_certificate():
    volunteer = current_volunteer()
    pdf, number = certificate_pdf(volunteer)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{number}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificate/<number>")
@limiter.limit("30 per minute")
def verify_certificate(number: str):
    """Public: anyone holding a certificate can check the number the issuer printed on it."""
    found = check_certificate_number(number)
    status = 200 if found else 404
    return render_template("ledger/certificate_check.html", number=number, found=found), status
