"""Dashboard pages: a site's kiosks (enroll, health, revoke) and the refused kiosk actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import StringField

import qr

from ..codes.operations import code_url
from ..core.auth import current_user, login_required, require_site
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound
from ..core.i18n import _, _l
from ..core.web import refusal_flashed
from ..extensions import db
from ..shifts.models import KioskAction
from ..sites.models import Site
from . import operations as ops
from .models import Device

bp = Blueprint("devices_admin", __name__, url_prefix="/admin", template_folder="templates")


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"))


def _scoped_devices():
    root = current_user().site
    return list(db.session.scalars(
        select(Device).join(Site, Device.site_id == Site.id)
        .where(Site.path.startswith(root.path, autoescape=True)).order_by(Device.id)))


@bp.get("/kiosks/")
@login_required
def overview():
    devices = _scoped_devices()
    ids = [d.id for d in devices]
    refused = list(db.session.scalars(
        select(KioskAction).where(KioskAction.device_id.in_(ids), KioskAction.status >= 400)
        .order_by(KioskAction.received_at.desc()).limit(200))) if ids else []
    return render_template("devices/overview.html", devices=devices, refused=refused,
                           counts=ops.refused_counts(devices),
                           by_id={d.id: d for d in devices})


@bp.get("/sites/<int:site_id>/kiosks")
@login_required
def site_kiosks(site_id: int):
    site = require_site(site_id)
    return _page(site)


def _page(site, enrollment_code=None, status=200):
    devices = ops.site_devices(site)
    svg = Markup(qr.to_svg(code_url(enrollment_code))) if enrollment_code else None
    return render_template("devices/site.html", site=site, devices=devices,
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
    require_site(device.site_id)
    form = ReasonForm()
    if form.validate_on_submit():
        with refusal_flashed():
            ops.revoke(device, form.reason.data or "", actor=current_user())
            flash(_("The kiosk is revoked: it now accepts nothing."), "success")
    return redirect(url_for(".site_kiosks", site_id=device.site_id))
