"""Dashboard pages: a site's kiosks (enroll, health, revoke) and the refused kiosk actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import StringField

import qr

from ..codes.operations import REJECTION_MESSAGES, code_url
from ..core.auth import current_user, login_required, require_site
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound
from ..core.export import export_format, export_response
from ..core.i18n import _, _l
from ..core.timeutil import local
from ..core.web import page_action
from ..extensions import db
from ..sites.models import Site
from ..sites.picker import picked_site
from . import operations as ops
from .health import health
from .models import Device, KioskAction

bp = Blueprint("devices_admin", __name__, url_prefix="/admin", template_folder="templates")


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"))


# The kinds of kiosk action, in words (the registered kind stays in a tooltip).
KIND_LABELS = {"sign": _l("sign-in or sign-out"), "redeem": _l("points redemption"),
               "order": _l("service order"), "rate": _l("rating"),
               "complete": _l("completion of an order")}


def refusal_text(response: dict) -> str:
    """Why a kiosk action was refused, in the reader's language: a code refusal from the
    codes' own words; any other from the message stored with the answer."""
    error = (response or {}).get("error") or {}
    reason = str(error.get("code", "")).removeprefix("code_")
    if reason in REJECTION_MESSAGES:
        return str(REJECTION_MESSAGES[reason])
    return error.get("message", "")


def _scoped_devices():
    root = current_user().site
    return list(db.session.scalars(
        select(Device).join(Site, Device.site_id == Site.id)
        .where(Site.path.startswith(root.path, autoescape=True)).order_by(Device.id)))


@bp.get("/kiosks/")
@login_required
def overview():
    fmt = export_format(request.args)
    if fmt:
        return _export_kiosks(fmt)
    devices = _scoped_devices()
    ids = [d.id for d in devices]
    refused = list(db.session.scalars(
        select(KioskAction).where(KioskAction.device_id.in_(ids), KioskAction.status >= 400)
        .order_by(KioskAction.received_at.desc()).limit(200))) if ids else []
    return render_template("devices/overview.html", devices=devices, refused=refused,
                           summary=health(current_user().site),
                           counts=ops.refused_counts(devices),
                           by_id={d.id: d for d in devices}, kind_labels=KIND_LABELS,
                           refusal_text=refusal_text)


def _export_kiosks(fmt: str):
    header = [_("Kiosk"), _("Name"), _("Site"), _("State"), _("Last seen"),
              _("Waiting on the kiosk"), _("App version"), _("Clock offset (seconds)"),
              _("Clock is off"), _("Refused actions"), _("Silent for too long")]
    # One row per kiosk, read now (a short list; the export's audit entry ends this read).
    listed = [(k.device.id, k.device.name, k.device.site.name,
               _("online") if k.online else _("offline"), local(k.device.last_seen_at),
               k.outbox, k.device.app_version, k.clock_offset_seconds,
               _("yes") if k.clock_warning else "", k.refused, _("yes") if k.is_alert else "")
              for k in health(current_user().site).kiosks]

    def rows():
        return iter(listed)

    return export_response("kiosks", fmt, header, rows, title=_("Kiosks"))


@bp.get("/kiosks/at")
@login_required
def kiosks_at():
    """The overview's site picker: the kiosks page of the site chosen (pair one there)."""
    site = picked_site(request.args.get("site_id", ""))
    return redirect(url_for(".site_kiosks", site_id=site.id))


@bp.get("/sites/<int:site_id>/kiosks")
@login_required
def site_kiosks(site_id: int):
    site = require_site(site_id)
    return _page(site)


def _page(site, enrollment_code=None, status=200):
    devices = ops.site_devices(site)
    svg = Markup(qr.to_svg(code_url(enrollment_code))) if enrollment_code else None
    return render_template("devices/site.html", site=site, devices=devices,
                           summary=health(site),
                           counts=ops.refused_counts(devices), form=ReasonForm(),
                           enrollment=enrollment_code, svg=svg,
                           url=code_url(enrollment_code) if enrollment_code else None), status


@bp.post("/sites/<int:site_id>/kiosks/enroll")
@login_required
def enroll(site_id: int):
    site = require_site(site_id, include_inactive=False)
    if not ReasonForm().validate_on_submit():
        flash(_("The form expired or came from elsewhere. Please reload and retry."), "error")
        return redirect(url_for(".site_kiosks", site_id=site.id))
    try:
        _enrollment, code = ops.create_enrollment(site, actor=current_user())
    except DomainError as error:
        mark_failed()
        flash(str(error.message), "error")
        return redirect(url_for(".site_kiosks", site_id=site.id))
    # Shown once, in this answer: it is not stored anywhere the page could show it again.
    return _page(site, code)


@bp.post("/kiosks/<int:device_id>/revoke")
@login_required
def revoke(device_id: int):
    device = db.session.get(Device, device_id)
    if device is None:
        raise NotFound(_l("No such kiosk."), "device_not_found")
    require_site(device.site_id, missing=NotFound(_l("No such kiosk."), "device_not_found"))
    form = ReasonForm()

    def revoke_kiosk():
        ops.revoke(device, form.reason.data or "", actor=current_user())
        return _("The kiosk is revoked: it now accepts nothing.")

    return page_action(form, revoke_kiosk, to=url_for(".site_kiosks", site_id=device.site_id),
                       confirm={"title": _("Revoke the kiosk “%(name)s”?",
                                           name=device.name or device.id),
                                "consequence": _("The kiosk accepts nothing from now on: no "
                                                 "sign-ins, orders or redemptions. To use it "
                                                 "again it must be enrolled anew."),
                                "confirm_label": _("Yes, revoke the kiosk")})


def site_panel(site):
    """The site page's kiosk panel: the live kiosks here and below with their health, each
    revocable (asked first), and the way to pair one more."""
    return Markup(render_template("devices/_site_panel.html", site=site, summary=health(site),
                                  form=ReasonForm()))
