"""Dashboard pages for a site's code: show, download, rotate, revoke, batch-print a subtree."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from ..core.auth import current_user, login_required, require_site
from ..core.db import mark_failed
from ..core.errors import NotFound, ValidationError
from ..core.forms import ReasonForm
from ..core.i18n import _, _l
from ..core.web import download, page_action
from ..extensions import db
from ..sites import operations as sites
from . import operations as ops
from . import printing

bp = Blueprint("codes_admin", __name__, url_prefix="/admin/sites", template_folder="templates")


class PrintForm(FlaskForm):
    size = SelectField(_l("Paper"), choices=[SelectChoice("A4", _l("A4 poster")),
                                             SelectChoice("A6", _l("A6 sticker"))])


CHOSEN_MAX = 1000  # sites chosen for one print


def _live_code(site):
    code = ops.point_code(site)
    if code is None:
        raise NotFound(_l("This site has no valid code yet."), "no_live_code")
    return code


@bp.get("/<int:site_id>/code")
@login_required
def show(site_id: int):
    site = require_site(site_id)
    return render_template("codes/admin_site.html", site=site, code=ops.point_code(site),
                           history=ops.point_history(site), url=ops.code_url,
                           reason_form=ReasonForm(), print_form=PrintForm(),
                           children=[c for c in site.children if c.is_active])


@bp.post("/<int:site_id>/code/issue")
@login_required
def issue(site_id: int):
    site = require_site(site_id)

    def issue_code():
        code = ops.ensure_point_code(site, actor=current_user())
        return _("Code version %(v)d is ready to print.", v=code.version)

    return page_action(ReasonForm(), issue_code, to=url_for(".show", site_id=site.id))


@bp.post("/<int:site_id>/code/rotate")
@login_required
def rotate(site_id: int):
    site = require_site(site_id)
    form = ReasonForm()

    def rotate_code():
        code = ops.rotate_point_code(site, form.reason.data or _("replaced"),
                                     actor=current_user())
        return _("The old code is withdrawn. Print and post version %(v)d.", v=code.version)

    return page_action(form, rotate_code, to=url_for(".show", site_id=site.id))


@bp.post("/<int:site_id>/code/revoke")
@login_required
def revoke(site_id: int):
    site = require_site(site_id)
    form = ReasonForm()

    def revoke_code():
        ops.revoke_point_code(site, form.reason.data, actor=current_user())
        return _("The code is withdrawn. Scans of it are now refused.")

    return page_action(form, revoke_code, to=url_for(".show", site_id=site.id), confirm={
        "title": _("Withdraw the code of “%(name)s” without replacement?", name=site.name),
        "consequence": _("Every poster and sticker of this site stops working at once, and "
                         "batch printing leaves the site out until a code is issued again."),
        "confirm_label": _("Yes, withdraw the code")})


@bp.get("/<int:site_id>/code.png")
@login_required
def png(site_id: int):
    code = _live_code(require_site(site_id))
    return download(printing.code_png(code), "image/png", f"code-{code.short_code}.png")


@bp.get("/<int:site_id>/code.svg")
@login_required
def svg(site_id: int):
    code = _live_code(require_site(site_id))
    return download(printing.code_svg(code), "image/svg+xml", f"code-{code.short_code}.svg")


@bp.get("/<int:site_id>/poster.pdf")
@login_required
def poster(site_id: int):
    code = _live_code(require_site(site_id))
    size = request.args.get("size", "A4")
    if size not in printing.SIZES:
        raise NotFound(_l("No such paper size."), "bad_size")
    return download(printing.posters_pdf([code], size), "application/pdf",
                     f"poster-{code.short_code}-{size}.pdf")


@bp.post("/<int:site_id>/posters.pdf")
@login_required
def batch(site_id: int):
    """Every active site of the subtree on one PDF, or only the sites chosen (`only`, ids of
    sites in the subtree, each once); sites without a code get one first. A site whose code
    was withdrawn without replacement is skipped: the admin is told which, and confirms
    (`skipped_ok`) before the PDF of the others is made."""
    root = require_site(site_id)
    form = PrintForm()
    if not form.validate_on_submit():
        flash(_("Choose a paper size."), "error")
        return redirect(url_for(".show", site_id=root.id))
    query = sites.subtree_query(root).order_by(sites.Site.id)
    chosen = _chosen_ids(request.form.getlist("only"))
    if chosen:
        query = query.where(sites.Site.id.in_(chosen))
    codes, skipped = ops.codes_to_print(db.session.scalars(query), actor=current_user())
    if skipped and request.form.get("skipped_ok") != "1":
        mark_failed()  # nothing issued until the admin has read what is left out
        return render_template("codes/batch_skipped.html", site=root, skipped=skipped,
                               printable=len(codes), print_form=form)
    if not codes:
        flash(_("Nothing to print: no site below has a valid code."), "error")
        return redirect(url_for(".show", site_id=root.id))
    return download(printing.posters_pdf(codes, form.size.data), "application/pdf",
                     f"posters-{root.id}-{form.size.data}.pdf")


def _chosen_ids(values) -> list[int]:
    """The site ids a print was limited to: digits only, at most a subtree's worth; anything
    else is refused in words (an id outside the subtree simply matches nothing there)."""
    if len(values) > CHOSEN_MAX or not all(v.isascii() and v.isdigit() and len(v) <= 9
                                           for v in values):
        raise ValidationError(_l("Choose the sites to print from the list."), "invalid_choice",
                              field="only")
    return sorted({int(v) for v in values})


def site_panel(site):
    """The site page's code panel: the valid version and its printouts, the last versions,
    the withdrawal (asked first on the code's page)."""
    from markupsafe import Markup

    return Markup(render_template(
        "codes/_site_panel.html", site=site, code=ops.point_code(site),
        history=ops.point_history(site)[:5],
        withdrawn=ops.withdrawn_without_replacement(site), reason_form=ReasonForm()))
