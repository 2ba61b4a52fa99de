"""Dashboard pages for the honor roll: the list (and its export), nominating with a photo,
and the district's decision."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from ..core.auth import current_user, login_required, require_site
from ..core.csvfile import csv_download
from ..core.db import mark_failed
from ..core.edge import MB, body_limit
from ..core.errors import DomainError, NotFound
from ..core.forms import ActionForm, ReasonForm
from ..core.i18n import _, _l
from ..core.timeutil import utcnow
from ..sites.picker import UNIT_KINDS, picked_site
from . import imaging
from . import operations as ops
from .models import CATEGORIES, STATES

bp = Blueprint("honors_admin", __name__, url_prefix="/admin/honors",
               template_folder="templates")

STATE_LABELS = {"nominated": _l("nominated"), "approved": _l("on the roll"),
                "rejected": _l("not approved"), "withdrawn": _l("taken off the roll")}


class NominateForm(FlaskForm):
    name = StringField(_l("Full name"))
    category = StringField(_l("Kind of model"))
    title = StringField(_l("Honor"))
    year = StringField(_l("Year"))
    site_id = StringField(_l("Unit"))
    story = TextAreaField(_l("Story"))
    consent = BooleanField(_l("The person agrees to their name, photo and story being shown in "
                              "public"))


def _upload() -> bytes | None:
    file = request.files.get("photo")
    if file is None or not file.filename:
        return None
    return file.stream.read(imaging.MAX_BYTES + 1)


def _scoped(honoree_id: int):
    honoree = ops.get_honoree(honoree_id)
    require_site(honoree.site_id, missing=NotFound(_l("No such person on the honor roll."),
                                                   "honoree_not_found"))
    return honoree


@bp.get("/")
@login_required
def listing():
    status = request.args.get("status") or None
    status = status if status in STATES else None
    return render_template("honors/admin_list.html", status=status, states=STATE_LABELS,
                           honorees=ops.listing(current_user().site, status=status))


@bp.get("/export.csv")
@login_required
def export():
    status = request.args.get("status")
    rows = ops.listing(current_user().site, status=status if status in STATES else None,
                       limit=20_000)
    return csv_download("honor-roll.csv",
                        [_("Name"), _("Kind of model"), _("Honor"), _("Year"), _("Unit"),
                         _("State"), _("Story")],
                        [[h.name, h.category, h.title, h.year, h.site.name,
                          STATE_LABELS[h.status], h.story] for h in rows])


@bp.route("/new", methods=["GET", "POST"])
@body_limit(imaging.MAX_BYTES + MB)  # the form may carry the photo
@login_required
def nominate():
    form = NominateForm()
    error = None
    if form.validate_on_submit():
        try:
            site = picked_site(form.site_id.data or current_user().site.id, kinds=UNIT_KINDS)
            honoree = ops.nominate(name=form.name.data, category=form.category.data,
                                   title=form.title.data, year=form.year.data,
                                   story=form.story.data, site=site,
                                   consent=bool(form.consent.data), actor=current_user())
            photo = _upload()
            if photo is not None:
                ops.set_photo(honoree, photo, actor=current_user())
        except DomainError as exc:
            mark_failed()
            error = exc
        else:
            flash(_("Nominated: %(name)s.", name=honoree.name), "success")
            return redirect(url_for(".show", honoree_id=honoree.id))
    elif request.method == "GET":
        form.year.data = str(utcnow().year)
    status = error.status if error else (400 if form.errors else 200)
    return render_template("honors/admin_form.html", form=form, error=error,
                           categories=CATEGORIES,
                           max_mb=imaging.MAX_BYTES // (1024 * 1024)), status


@bp.get("/<int:honoree_id>")
@login_required
def show(honoree_id: int):
    honoree = _scoped(honoree_id)
    from ..activities.operations import talks_by  # activities name their speaker

    return render_template("honors/admin_show.html", honoree=honoree, states=STATE_LABELS,
                           talks=talks_by(honoree), form=ActionForm(), reason_form=ReasonForm(),
                           max_mb=imaging.MAX_BYTES // (1024 * 1024))


@bp.post("/<int:honoree_id>/photo")
@body_limit(imaging.MAX_BYTES + MB)  # the photo and the form around it
@login_required
def photo(honoree_id: int):
    honoree = _scoped(honoree_id)
    if ActionForm().validate_on_submit():
        try:
            ops.set_photo(honoree, _upload() or b"", actor=current_user())
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("Photo saved."), "success")
    return redirect(url_for(".show", honoree_id=honoree.id))


def _decide(honoree_id: int, work):
    honoree = _scoped(honoree_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            work(honoree, form.reason.data)
        except DomainError as exc:
            mark_failed()
            flash(str(exc.message), "error")
        else:
            flash(_("Saved."), "success")
    return redirect(url_for(".show", honoree_id=honoree.id))


@bp.post("/<int:honoree_id>/approve")
@login_required
def approve(honoree_id: int):
    return _decide(honoree_id, lambda h, reason: ops.decide(h, True, reason,
                                                            actor=current_user()))


@bp.post("/<int:honoree_id>/reject")
@login_required
def reject(honoree_id: int):
    return _decide(honoree_id, lambda h, reason: ops.decide(h, False, reason,
                                                            actor=current_user()))


@bp.post("/<int:honoree_id>/withdraw")
@login_required
def withdraw(honoree_id: int):
    return _decide(honoree_id, lambda h, reason: ops.withdraw(h, reason, actor=current_user()))


@bp.get("/<int:honoree_id>/photo/<digest>.jpg")
@login_required
def preview(honoree_id: int, digest: str):
    """The portrait for the admin, also before approval (never cached by shared caches)."""
    from flask import Response

    honoree = _scoped(honoree_id)
    picture = ops.photo_of(honoree)
    if picture is None or picture.digest != digest:
        from ..core.errors import NotFound

        raise NotFound(_l("No such photo."), "photo_not_found")
    return Response(picture.data, mimetype=picture.mime,
                    headers={"Cache-Control": "private, max-age=3600"})
