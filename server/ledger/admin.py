"""Dashboard pages for the time bank: ledger, balances, the hours→points rule, catalog."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from wtforms import IntegerField, SelectChoice, SelectField, StringField

from ..core.auth import authorize, current_user, login_required, require_site
from ..core.errors import Forbidden, NotFound, ValidationError
from ..core.export import LocalTime, export_format, export_response, stream
from ..core.forms import ReasonForm
from ..core.i18n import _, _l
from ..core.paging import date_range, paginate
from ..core.web import page_action, refusal_flashed, submit_form
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer
from . import catalog
from . import operations as ops
from .models import ITEM_KINDS, SOURCE_TYPES, Account, Item, Redemption, Transfer
from .statement import SOURCE_LABELS, account_text, source_text

bp = Blueprint("ledger_admin", __name__, url_prefix="/admin/ledger", template_folder="templates")


class AdjustForm(FlaskForm):
    number = StringField(_l("Volunteer number"))
    points = IntegerField(_l("Points (negative to deduct)"))
    reason = StringField(_l("Reason"))


class RuleForm(FlaskForm):
    points_per_hour = IntegerField(_l("Points per hour of service"))


class ItemForm(FlaskForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"), choices=[])
    description = StringField(_l("Description"))
    cost_points = StringField(_l("Cost in points"))
    stock = StringField(_l("Stock (empty: unlimited)"))


def _scoped(query, account_alias):
    """Only volunteers whose home site the admin manages (the district sees system rows too)."""
    user = current_user()
    if user.is_district_admin:
        return query
    return query.join(Volunteer, Volunteer.id == account_alias.volunteer_id).join(
        Site, Site.id == Volunteer.home_site_id).where(
        Site.path.startswith(user.site.path, autoescape=True))


def _volunteer_in_scope(number: str) -> Volunteer:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.number == number.strip()))
    if volunteer is None:
        raise NotFound(_l("No volunteer with this number."), "volunteer_not_found")
    authorize(volunteer.home_site,
              missing=NotFound(_l("No volunteer with this number."), "volunteer_not_found"))
    return volunteer


@bp.get("/")
@login_required
def transfers():
    number = request.args.get("number", "").strip()
    source = request.args.get("source", "")
    query = select(Transfer)
    if number or not current_user().is_district_admin:
        # No transfer joins two volunteers, so this join never repeats a row.
        mine = aliased(Account)
        query = _scoped(query.join(mine, or_(mine.id == Transfer.debit_account_id,
                                             mine.id == Transfer.credit_account_id))
                        .where(mine.kind == "volunteer"), mine)
        if number:
            query = query.where(mine.volunteer_id == db.session.scalar(
                select(Volunteer.id).where(Volunteer.number == number)))
    if source in SOURCE_TYPES:
        query = query.where(Transfer.source_type == source)
    query = date_range(request.args).apply(query, Transfer.created_at).order_by(
        Transfer.id.desc())
    fmt = export_format(request.args)
    if fmt:
        return _export_transfers(query, fmt)
    page = paginate(query, request.args)
    rows = page.items
    reversed_ids = set(db.session.scalars(select(Transfer.reverses_transfer_id).where(
        Transfer.reverses_transfer_id.in_([t.id for t in rows]))))
    return render_template("ledger/admin_transfers.html", rows=rows, page=page, number=number,
                           source=source, args=request.args, labels=SOURCE_LABELS,
                           reversed_ids=reversed_ids,
                           source_text=source_text, account_text=account_text,
                           form=ReasonForm(), problems=ops.verify())


@bp.post("/transfers/<int:transfer_id>/reverse")
@login_required
def reverse(transfer_id: int):
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound(_l("No such ledger entry."), "transfer_not_found")
    owners = [a.volunteer for a in (transfer.debit_account, transfer.credit_account)
              if a.volunteer is not None]
    if not owners and not current_user().is_district_admin:
        raise Forbidden(_l("Only the district may reverse this entry."), "out_of_scope")
    for volunteer in owners:
        authorize(volunteer.home_site,
                  missing=NotFound(_l("No such ledger entry."), "transfer_not_found"))
    form = ReasonForm()

    def reverse_entry():
        ops.reverse(transfer, form.reason.data, actor=current_user())
        return _("Entry %(id)d reversed.", id=transfer.id)

    return page_action(form, reverse_entry, to=url_for(".transfers"), confirm={
        "title": _("Reverse ledger entry %(id)d (%(points)d points)?", id=transfer.id,
                   points=transfer.amount),
        "consequence": _("A reversing entry takes the points back; it cannot be undone, and the "
                         "entry can be reversed only once."),
        "confirm_label": _("Yes, reverse the entry")})


@bp.route("/balances", methods=["GET", "POST"])
@login_required
def balances():
    form = AdjustForm()
    if form.validate_on_submit():
        with refusal_flashed():
            volunteer = _volunteer_in_scope(form.number.data or "")
            ops.adjust(volunteer, form.points.data, form.reason.data, actor=current_user())
            flash(_("Adjustment posted for %(name)s.", name=volunteer.name), "success")
            return redirect(url_for(".balances"))
    accounts = db.session.scalars(_scoped(select(Account).where(Account.kind == "volunteer"),
                                          Account)).all()
    sums = ops.balances([a.id for a in accounts])
    rows = sorted(((a.volunteer, sums.get(a.id, 0)) for a in accounts),
                  key=lambda row: (-row[1], row[0].number))
    return render_template("ledger/admin_balances.html", rows=rows[:500], form=form)


@bp.route("/rule", methods=["GET", "POST"])
@login_required
def rule():
    form = RuleForm(points_per_hour=ops.points_per_hour())
    if request.method == "POST":
        if not current_user().is_district_admin:
            raise Forbidden(_l("Only the district sets the hours→points rule."), "out_of_scope")
        if form.validate_on_submit():
            with refusal_flashed():
                ops.set_points_per_hour(form.points_per_hour.data, actor=current_user())
                flash(_("Saved."), "success")
                return redirect(url_for(".rule"))
        else:
            flash(_("Points per hour must be a whole number from 1 to %(n)d.",
                    n=ops.POINTS_PER_HOUR_MAX), "error")
    return render_template("ledger/admin_rule.html", form=form,
                           example=ops.points_for_minutes(90))


@bp.route("/catalog", methods=["GET", "POST"])
@login_required
def catalog_page():
    site = require_site(request.args.get("site_id", type=int) or current_user().site_id)
    form = ItemForm()
    form.kind.choices = [SelectChoice(k, str(catalog.KIND_LABELS[k])) for k in ITEM_KINDS]
    if form.validate_on_submit():
        with refusal_flashed():
            catalog.save_item(site, name=form.name.data, kind=form.kind.data,
                              description=form.description.data,
                              cost_points=form.cost_points.data, stock=form.stock.data,
                              actor=current_user())
            flash(_("Saved."), "success")
            return redirect(url_for(".catalog_page", site_id=site.id))
    items = list(db.session.scalars(select(Item).where(Item.site_id == site.id)
                                    .order_by(Item.name)))
    return render_template("ledger/admin_catalog.html", site=site, items=items, form=form,
                           toggle=ReasonForm(), kinds=catalog.KIND_LABELS)


def _catalog_item(item_id: int) -> Item:
    item = catalog.get_item(item_id)
    authorize(item.site, missing=NotFound(_l("No such item in the catalog."), "item_not_found"))
    return item


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    """Price, stock, name, kind and description of one reward; redemptions already made
    keep the points they cost (each stores its own)."""
    item = _catalog_item(item_id)
    form = ItemForm(obj=item)
    form.kind.choices = [SelectChoice(k, str(catalog.KIND_LABELS[k])) for k in ITEM_KINDS]
    if request.method == "GET":
        form.stock.data = "" if item.stock is None else str(item.stock)
    outcome = submit_form(
        form, lambda: catalog.save_item(
            item.site, item=item, name=form.name.data, kind=form.kind.data,
            description=form.description.data, cost_points=form.cost_points.data,
            stock=form.stock.data, is_active=item.is_active, actor=current_user()),
        done=lambda: url_for(".catalog_page", site_id=item.site_id),
        field_errors={"kind": lambda: ValidationError(_l("Unknown kind of item."),
                                                      "invalid_kind", field="kind")})
    if isinstance(outcome, Response):
        return outcome
    error = outcome
    return render_template("ledger/admin_catalog_item.html", item=item, form=form,
                           error=error), error.status if error else 200


@bp.post("/items/<int:item_id>/toggle")
@login_required
def toggle_item(item_id: int):
    item = _catalog_item(item_id)
    if ReasonForm().validate_on_submit():
        catalog.save_item(item.site, item=item, name=item.name, kind=item.kind,
                          description=item.description, cost_points=item.cost_points,
                          stock=item.stock, is_active=not item.is_active, actor=current_user())
        flash(_("Saved."), "success")
    return redirect(url_for(".catalog_page", site_id=item.site_id))


@bp.get("/redemptions")
@login_required
def redemptions():
    user = current_user()
    query = (select(Redemption).join(Item, Item.id == Redemption.item_id)
             .join(Site, Site.id == Item.site_id)
             .where(Site.path.startswith(user.site.path, autoescape=True)))
    query = date_range(request.args).apply(query, Redemption.created_at).order_by(
        Redemption.id.desc())
    fmt = export_format(request.args)
    if fmt:
        return _export_redemptions(query, fmt)
    page = paginate(query, request.args)
    return render_template("ledger/admin_redemptions.html", rows=page.items, page=page,
                           args=request.args)


def _export_transfers(query, fmt: str):
    """The page's selection as columns, not objects: each side's account and, when it is a
    volunteer's, the volunteer, through outer joins of their own."""
    header = ["#", _("Time"), _("Source"), _("Source record"), _("From"), _("Number"),
              _("To"), _("Number"), _("Points"), _("Note"), _("By"), _("Reverses")]
    when = LocalTime()
    debit, credit = aliased(Account), aliased(Account)
    debtor, creditor = aliased(Volunteer), aliased(Volunteer)
    columns = (query.join(debit, debit.id == Transfer.debit_account_id)
               .outerjoin(debtor, debtor.id == debit.volunteer_id)
               .join(credit, credit.id == Transfer.credit_account_id)
               .outerjoin(creditor, creditor.id == credit.volunteer_id)
               .with_only_columns(
                   Transfer.id, when.column(Transfer.created_at), Transfer.source_type,
                   Transfer.source_id,
                   debtor.id, debtor.name, debtor.number, debit.code,
                   creditor.id, creditor.name, creditor.number, credit.code,
                   Transfer.amount, Transfer.memo, Transfer.actor,
                   Transfer.reverses_transfer_id))
    sources = {code: str(label) for code, label in SOURCE_LABELS.items()}

    def rows():
        result = stream(columns)
        for (ident, created, source_type, source_id, debtor_id, debtor_name, debtor_number,
             debit_code, creditor_id, creditor_name, creditor_number, credit_code, amount,
             memo, actor, reverses) in result:
            # A side is its volunteer (name, number) or, for the system's accounts, its code.
            yield (ident, when.text(created), sources[source_type], f"{source_type}:{source_id}",
                   *((debtor_name, debtor_number) if debtor_id is not None
                     else (debit_code or "", "")),
                   *((creditor_name, creditor_number) if creditor_id is not None
                     else (credit_code or "", "")),
                   amount, memo, actor, reverses)

    return export_response("ledger", fmt, header, rows, title=_("Ledger"))


def _export_redemptions(query, fmt: str):
    """The page's selection as columns (`query` joins the Item and its Site)."""
    header = ["#", _("Time"), _("Volunteer"), _("Volunteer number"), _("Item"), _("Quantity"),
              _("Points"), _("Site"), _("By")]
    when = LocalTime()
    columns = (query.join(Volunteer, Volunteer.id == Redemption.volunteer_id)
               .with_only_columns(Redemption.id, when.column(Redemption.created_at),
                                  Volunteer.name,
                                  Volunteer.number, Item.name, Redemption.quantity,
                                  Redemption.points, Site.name, Redemption.actor))

    def rows():
        for (ident, created, *rest) in stream(columns):
            yield (ident, when.text(created), *rest)

    return export_response("redemptions", fmt, header, rows, title=_("Redemptions"))
