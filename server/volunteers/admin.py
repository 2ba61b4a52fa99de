"""Dashboard pages for volunteers: list, detail, create, edit, deactivate, code, login link."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectChoice, SelectField, StringField

import qr

from ..core.auth import authorize, current_user, login_required, require_site
from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound
from ..core.export import export_format, export_response, full_records_allowed, stream
from ..core.forms import ActionForm, ReasonForm
from ..core.i18n import _, _l
from ..core.web import download, page_action
from ..extensions import db
from ..sites import operations as sites
from ..sites.models import Site
from . import bulk, cards, logins, teams
from . import operations as ops
from .models import Volunteer, mask_mobile

bp = Blueprint("volunteers_admin", __name__, url_prefix="/admin/volunteers",
               template_folder="templates")
PER_PAGE = 50


class VolunteerForm(FlaskForm):
    # Rules live in operations; the form carries the fields and the CSRF token.
    name = StringField(_l("Name"))
    phone = StringField(_l("Mobile phone"))
    home_site_id = SelectField(_l("Home site"), choices=[])
    skills = StringField(_l("Skills (separate with commas)"))


def require_volunteer(number: str):
    volunteer = ops.require_by_number(number)
    authorize(volunteer.home_site,
              missing=NotFound(_l("No volunteer with this number."), "volunteer_not_found"))
    return volunteer


def site_choices() -> list[SelectChoice]:
    root = current_user().site
    return [SelectChoice(str(s.id), "\u3000" * (s.depth - root.depth) + s.name)
            for s in sites.search(root, include_inactive=False, limit=2000)]


@bp.get("/")
@login_required
def index():
    root = current_user().site
    args = request.args
    site = None
    if args.get("site", type=int):
        site = require_site(args.get("site", type=int))
    team_id = args.get("team", type=int)
    fmt = export_format(args)
    if fmt:
        return _export(ops.scoped_query(root, args.get("q", ""), team_id=team_id, site=site,
                                        include_inactive=args.get("inactive") == "1"), fmt)
    page = max(args.get("page", 1, type=int), 1)
    rows, total = ops.search(root, args.get("q", ""), team_id=team_id, site=site,
                             include_inactive=args.get("inactive") == "1", page=page,
                             per_page=PER_PAGE)
    return render_template("volunteers/list.html", rows=rows, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
                           teams=teams.all_teams(), sites=site_choices(), site=site,
                           team_id=team_id, q=args.get("q", ""),
                           inactive=args.get("inactive") == "1",
                           reasons={k: str(v) for k, v in bulk.SKIP_REASONS.items()},
                           bulk_teams=teams.usable_by(current_user().site))


def _export(query, fmt: str):
    """The selection as on the page: the phone masked unless the district asks for full.
    Columns, not objects (`query` joins the home Site)."""
    full = full_records_allowed(request.args)
    header = [_("Number"), _("Name"), _("Mobile phone"), _("Home site"), _("Skills"),
              _("Active")]
    columns = query.with_only_columns(Volunteer.number, Volunteer.name, Volunteer.phone,
                                      Site.name, Volunteer.skills, Volunteer.is_active)
    active = {True: _("yes"), False: _("no")}

    def rows():
        result = stream(columns.order_by(Volunteer.number))
        for number, name, phone, home, skills, is_active in result:
            yield (number, name, phone if full else mask_mobile(phone), home,
                   "、".join(skills) if skills else "", active[bool(is_active)])

    return export_response("volunteers", fmt, header, rows, title=_("Volunteers"),
                           full_records=full)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = VolunteerForm()
    form.home_site_id.choices = site_choices()
    error = None
    if form.validate_on_submit():
        try:
            volunteer = ops.create_volunteer(name=form.name.data or "",
                                             phone=form.phone.data or "",
                                             home_site_id=form.home_site_id.data,
                                             skills=form.skills.data, actor=current_user())
        except DomainError as exc:
            error = exc
        else:
            flash(_("Added volunteer %(number)s.", number=volunteer.number), "success")
            _warn_shared_phone(volunteer)
            return redirect(url_for(".show", number=volunteer.number))
    return _form_page(form, error, volunteer=None)


@bp.route("/<number>/edit", methods=["GET", "POST"])
@login_required
def edit(number: str):
    volunteer = require_volunteer(number)
    form = VolunteerForm(obj=volunteer)
    form.home_site_id.choices = site_choices()
    if request.method == "GET":
        form.home_site_id.data = str(volunteer.home_site_id)
        form.skills.data = "、".join(volunteer.skills or [])
    error = None
    if form.validate_on_submit():
        try:
            ops.update_volunteer(volunteer, actor=current_user(), name=form.name.data or "",
                                 phone=form.phone.data or "", home_site=form.home_site_id.data,
                                 skills=form.skills.data)
        except DomainError as exc:
            error = exc
        else:
            flash(_("Saved."), "success")
            _warn_shared_phone(volunteer)
            return redirect(url_for(".show", number=volunteer.number))
    return _form_page(form, error, volunteer=volunteer)


def _warn_shared_phone(volunteer) -> None:
    # Only a count: the others may lie outside this admin's subtree.
    others = ops.others_with_phone(volunteer)
    if others:
        flash(_("Note: %(n)d other volunteers have the same mobile number. If it is not a "
                "shared family phone, please check the number.", n=others), "warning")


def _form_page(form, error: DomainError | None, **context):
    status = 200
    if error is not None:
        mark_failed()  # nothing half-written
        status = error.status
    elif form.errors:
        status = 400
    return render_template("volunteers/form.html", form=form, error=error, **context), status


@bp.get("/<number>")
@login_required
def show(number: str):
    volunteer = require_volunteer(number)
    return render_template("volunteers/show.html", v=volunteer, code=ops.volunteer_code(volunteer),
                           history=ops.code_history(volunteer),
                           memberships=teams.teams_of(volunteer), reason_form=ReasonForm(),
                           action_form=ActionForm())


@bp.post("/<number>/deactivate")
@login_required
def deactivate(number: str):
    return _set_active(number, False)


@bp.post("/<number>/activate")
@login_required
def activate(number: str):
    return _set_active(number, True)


def _set_active(number: str, active: bool):
    volunteer = require_volunteer(number)
    if ActionForm().validate_on_submit():
        ops.set_active(volunteer, active, actor=current_user())
        flash(_("Reactivated.") if active else _("Deactivated: the card's code is withdrawn and "
                                                 "the phone is logged out."), "success")
    return redirect(url_for(".show", number=volunteer.number))


@bp.post("/<number>/reissue")
@login_required
def reissue(number: str):
    volunteer = require_volunteer(number)
    form = ReasonForm()

    def reissue_card():
        code = ops.reissue_code(volunteer, form.reason.data or "", actor=current_user())
        return _("The old code is withdrawn. Print the new card (version %(v)d).",
                 v=code.version)

    return page_action(form, reissue_card, to=url_for(".show", number=volunteer.number))


@bp.post("/<number>/login-link")
@login_required
def login_link(number: str):
    """The link is shown once, on this response: only its hash is stored."""
    volunteer = require_volunteer(number)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".show", number=volunteer.number))
    try:
        link, token = logins.issue_login_link(volunteer, actor=current_user())
    except DomainError as exc:
        mark_failed()
        flash(str(exc.message), "error")
        return redirect(url_for(".show", number=volunteer.number))
    url = current_app.config["BASE_URL"].rstrip("/") + url_for("volunteers_mobile.link",
                                                               token=token)
    return render_template("volunteers/login_link.html", v=volunteer, url=url, link=link,
                           svg=Markup(qr.to_svg(url))), 200, {"Cache-Control": "no-store"}


@bp.get("/<number>/card.png")
@login_required
def card_png(number: str):
    volunteer = require_volunteer(number)
    return download(cards.card_png(volunteer), "image/png", f"card-{volunteer.number}.png")


@bp.get("/<number>/card.pdf")
@login_required
def card_pdf(number: str):
    volunteer = require_volunteer(number)
    return download(cards.cards_pdf([volunteer]), "application/pdf",
                    f"card-{volunteer.number}.pdf")


@bp.get("/cards.pdf")
@login_required
def batch_cards():
    """Cards of a team's members or of a site subtree, only volunteers the admin manages."""
    root = current_user().site
    site = require_site(request.args.get("site", type=int) or root.id)
    team_id = request.args.get("team", type=int)
    if team_id:
        teams.get_team(team_id)
    query = ops.scoped_query(root, team_id=team_id, site=site)
    volunteers = list(db.session.scalars(query.order_by(Volunteer.number)))
    label = f"team-{team_id}" if team_id else f"site-{site.id}"
    return download(cards.cards_pdf(volunteers), "application/pdf", f"cards-{label}.pdf")

