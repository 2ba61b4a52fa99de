"""Dashboard pages for the site tree: browse, search, create, edit, deactivate."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField

from ..core.auth import current_user, login_required, require_site
from ..core.errors import DomainError, ValidationError
from ..core.forms import ActionForm
from ..core.i18n import _, _l
from ..core.web import refusal_flashed
from ..features import site_panels
from . import operations as ops
from .models import PARENT_KINDS

bp = Blueprint("sites_admin", __name__, url_prefix="/admin/sites", template_folder="templates")


class SiteForm(FlaskForm):
    # Lengths are checked by operations (one rule for pages, API and CLI); the form only
    # carries the fields and the CSRF token.
    name = StringField(_l("Name"))
    address = StringField(_l("Address"))
    latitude = StringField(_l("Latitude"))
    longitude = StringField(_l("Longitude"))
    contact_name = StringField(_l("Contact person"))
    contact_phone = StringField(_l("Contact phone"))


class NewSiteForm(SiteForm):
    kind = SelectField(_l("Kind"), choices=[])


def _fields(form: SiteForm) -> dict:
    return {name: getattr(form, name).data or "" for name in ops.EDITABLE}


@bp.get("/")
@login_required
def browse():
    root = current_user().site
    query = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    if query or kind:
        try:
            results = ops.search(root, query, kind=kind)
        except DomainError as error:
            flash(str(error.message), "error")
            results = []
        return render_template("sites/search.html", query=query, kind=kind, results=results,
                               kind_labels=ops.KIND_LABELS)
    return redirect(url_for(".show", site_id=root.id))


@bp.get("/pick")
@login_required
def pick():
    """The site picker's search: active sites of the admin's subtree whose name or address
    holds the text, with their place in the tree (JSON for the typeahead); `kind`, repeated,
    keeps those kinds only (a form that takes only units asks for those)."""
    root = current_user().site
    text = request.args.get("q", "")[:64]
    kinds = request.args.getlist("kind")[:len(ops.KIND_LABELS)]
    found = ops.search(root, text, kind=kinds, include_inactive=False, limit=20)
    where = ops.trails(found, root)
    return {"sites": [{"id": s.id, "name": s.name, "trail": where[s.id],
                       "kind": str(ops.KIND_LABELS[s.kind])} for s in found]}


@bp.get("/<int:site_id>")
@login_required
def show(site_id: int):
    site = require_site(site_id)
    children = site.children
    counts = ops.child_counts([c.id for c in children])
    root = current_user().site
    trail = [a for a in ops.ancestors(site) if root.contains(a)]
    child_kinds = [k for k, parents in PARENT_KINDS.items() if site.kind in parents]
    return render_template("sites/show.html", site=site, children=children, counts=counts,
                           trail=trail, child_kinds=child_kinds, kind_labels=ops.KIND_LABELS,
                           action_form=ActionForm(), panels=site_panels(current_app, site))


@bp.route("/<int:parent_id>/new", methods=["GET", "POST"])
@login_required
def create(parent_id: int):
    parent = require_site(parent_id)
    form = NewSiteForm()
    allowed = [k for k, parents in PARENT_KINDS.items() if parent.kind in parents]
    form.kind.choices = [SelectChoice(k.value, str(ops.KIND_LABELS[k])) for k in allowed]
    if request.method == "GET" and request.args.get("kind") in {k.value for k in allowed}:
        form.kind.data = request.args["kind"]
    error = None
    if form.validate_on_submit():
        try:
            site = ops.create_site(kind=form.kind.data, parent=parent, actor=current_user(),
                                   **_fields(form))
        except DomainError as exc:
            error = exc
        else:
            flash(_("Created “%(name)s”.", name=site.name), "success")
            return redirect(url_for(".show", site_id=site.id))
    return _form_page("sites/form.html", form, error, parent=parent, site=None)


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
def edit(site_id: int):
    site = require_site(site_id)
    form = SiteForm(obj=site)
    error = None
    if form.validate_on_submit():
        try:
            ops.update_site(site, actor=current_user(), **_fields(form))
        except DomainError as exc:
            error = exc
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".show", site_id=site.id))
    return _form_page("sites/form.html", form, error, parent=site.parent, site=site)


def _form_page(template, form, error: DomainError | None, **context):
    status = 200
    if error is None and form.errors:  # the form's own checks: said in words, never blank
        error = (ValidationError(_l("Choose the kind of site from the list."), "invalid_kind",
                                 field="kind") if "kind" in form.errors else
                 ValidationError(_l("The form expired. Please try again."), "csrf_failed"))
    if error is not None:
        from ..core.db import mark_failed

        mark_failed()  # nothing half-written: the failed attempt's flushes are rolled back
        status = error.status
    return render_template(template, form=form, error=error, kind_labels=ops.KIND_LABELS,
                           **context), status


@bp.post("/<int:site_id>/deactivate")
@login_required
def deactivate(site_id: int):
    site = require_site(site_id)
    if ActionForm().validate_on_submit():
        with refusal_flashed():
            count = ops.set_active(site, False, actor=current_user())
            flash(_("Deactivated %(n)d sites.", n=count), "success")
    return redirect(url_for(".show", site_id=site.id))


@bp.post("/<int:site_id>/activate")
@login_required
def activate(site_id: int):
    site = require_site(site_id)
    if ActionForm().validate_on_submit():
        with refusal_flashed():
            ops.set_active(site, True, actor=current_user())
            flash(_("Reactivated."), "success")
    return redirect(url_for(".show", site_id=site.id))
