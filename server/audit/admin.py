"""Dashboard: the audit log searched by actor, action, target, site subtree and period."""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from sqlalchemy import Select, select

from ..core.audit import AuditEvent
from ..core.auth import current_user, login_required, require_site
from ..core.export import LocalTime, export_format, export_response, stream
from ..core.i18n import _
from ..core.paging import date_range, paginate
from ..core.schema import parse_id
from ..sites.models import Site
from .labels import action_choices, action_label, target_label

bp = Blueprint("audit_admin", __name__, url_prefix="/admin/audit", template_folder="templates")


def search(args) -> tuple[Select, Site]:
    """The entries the current admin may read that match the filters, newest first."""
    user = current_user()
    site_id = (args.get("site") or "").strip()
    # Digits that cannot be an id (too many of them) name no site: 404, as a missing one.
    scope = require_site(parse_id(site_id) or 0) if site_id.isdigit() else user.site
    query = select(AuditEvent, Site.name).outerjoin(Site, Site.id == AuditEvent.site_id)
    if not (user.is_district_admin and scope.id == user.site_id):
        # A unit reads what happened in its subtree; entries of no site are the district's.
        query = query.where(Site.path.startswith(scope.path, autoescape=True))
    actor = (args.get("actor") or "").strip()
    if actor:
        query = query.where(AuditEvent.actor.contains(actor, autoescape=True))
    action = (args.get("action") or "").strip()
    if action:
        query = query.where(AuditEvent.action == action)
    target = (args.get("target") or "").strip()
    if target:
        kind, _sep, ident = target.rpartition(":")
        query = query.where(AuditEvent.target_id == ident.strip())
        if kind:
            query = query.where(AuditEvent.target_type == kind.strip())
    query = date_range(args).apply(query, AuditEvent.at)
    return query.order_by(AuditEvent.id.desc()), scope


def _details(event: AuditEvent) -> str:
    return json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True)


@bp.get("/")
@login_required
def listing():
    fmt = export_format(request.args)
    query, scope = search(request.args)
    if fmt:
        return _export(query, fmt)
    page = paginate(query, request.args, scalars=False)
    return render_template("audit/admin_list.html", page=page, scope=scope, args=request.args,
                           actions=action_choices(), label=action_label, details=_details,
                           target=target_label)


def _export(query: Select, fmt: str):
    """The page's selection as columns, not entries (`query` is the entry and its site's
    name); action labels looked up once per distinct action."""
    header = [_("Time"), _("Action"), _("Action code"), _("Done by"), _("Target type"),
              _("Target number"), _("Record"), _("Site"), _("Network address"), _("Details"),
              _("Chain position"), _("Entry hash")]
    when = LocalTime()
    columns = query.with_only_columns(
        when.column(AuditEvent.at), AuditEvent.action, AuditEvent.actor, AuditEvent.target_type,
        AuditEvent.target_id, Site.name, AuditEvent.ip, AuditEvent.details, AuditEvent.seq,
        AuditEvent.entry_hash)

    def rows():
        labels: dict[str, str] = {}
        for (at, action, actor, target_type, target_id, site_name, ip, details, seq,
             entry_hash) in stream(columns):
            label = labels.get(action)
            if label is None:
                label = labels[action] = action_label(action)
            yield (when.text(at), label, action, actor, target_type, target_id,
                   target_label(target_type, target_id), site_name, ip,
                   json.dumps(details or {}, ensure_ascii=False, sort_keys=True), seq,
                   entry_hash)

    return export_response("audit", fmt, header, rows, title=_("Audit log"))
