"""What a phone sees after scanning a poster: the site from the server's own record first."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..core import limits
from ..core.i18n import _
from ..extensions import limiter
from ..features import landing_sections
from ..sites import operations as sites
from . import operations as ops

bp = Blueprint("codes_mobile", __name__, template_folder="templates")


@bp.get("/s/<token>")
@bp.get("/S/<token>")
@limiter.limit(limits.limit("RATELIMIT_CODES"))
def landing(token: str):
    try:
        code = ops.resolve(token, source="phone")
    except ops.CodeRejected as rejected:
        # Rendered here rather than by the error handler so the audit entry is committed.
        return render_template("codes/rejected.html", rejected=rejected), rejected.status
    if code.type == "order":  # a resident's receipt code: the orders feature shows the order
        return redirect(url_for("orders_volunteer.by_code", token=token))
    if code.type != "point" or code.site is None or not code.site.is_active:
        return render_template("codes/rejected.html",
                               rejected=ops.CodeRejected("wrong_type")), 400
    site = code.site
    from ..devices.operations import site_devices

    has_kiosk = any(device.is_active for device in site_devices(site))
    return render_template("codes/landing.html", code=code, site=site,
                           trail=sites.ancestors(site), has_kiosk=has_kiosk,
                           sections=landing_sections(current_app, site))


@bp.route("/s/", methods=["GET"])
def manual_entry():
    """The short code printed under the QR, typed in by hand when a camera cannot read it."""
    short = request.args.get("code", "")
    error = None
    if short:
        code = ops.by_short_code(short)
        if code is not None and code.revoked_at is None:
            return redirect(url_for(".landing", token=code.token))
        error = (ops.REJECTION_MESSAGES["revoked"] if code is not None
                 else _("No code with this number. Please check it and try again."))
    return render_template("codes/manual.html", short=short, error=error), 404 if error else 200
