"""The orders export: the board's selection with each order's rating, one row per order."""

from __future__ import annotations

import json

from flask import request
from sqlalchemy import Select, Text, cast

from ..core.export import LocalTime, export_response, full_records_allowed, stream
from ..core.i18n import _
from ..sites.models import Site
from ..volunteers.models import Team, Volunteer, mask_name
from .models import Order, Rating, ServiceItem, mask_phone
from .states import STATUS_LABELS

CHANNEL_LABELS = {"phone": "手机", "kiosk": "服务终端", "open311": "Open311", "admin": "管理员"}


def _tags(text: str | None) -> str:
    """A rating's tags, read as their JSON text: most ratings have none, and decoding every
    "[]" was a sixth of a 200,000-order export's time."""
    return "" if text in (None, "", "[]") else "、".join(json.loads(text))


def export(stmt: Select, fmt: str):
    """`stmt` is the board's filtered selection (board.filtered, joined to the order's Site);
    columns are read, not objects, so a year of orders streams at the speed of the database."""
    full = full_records_allowed(request.args)
    header = [_("Order number"), _("Placed at"), _("Site"), _("Service"), _("Project brand"),
              _("Content area"), _("Status"), _("Channel"), _("Resident phone"), _("Team"),
              _("Volunteer number"), _("Volunteer"), _("Accepted at"), _("Completed at"),
              _("Service minutes"), _("Stars"), _("Rating tags"), _("Rating comment"),
              _("Rated at")]
    when = LocalTime()
    columns = (stmt.join(ServiceItem, ServiceItem.id == Order.item_id)
               .outerjoin(Team, Team.id == Order.team_id)
               .outerjoin(Volunteer, Volunteer.id == Order.volunteer_id)
               .outerjoin(Rating, Rating.order_id == Order.id)
               .with_only_columns(
                   Order.number, when.column(Order.placed_at), Site.name, ServiceItem.name,
                   ServiceItem.brand, ServiceItem.content_area, Order.status, Order.channel,
                   Order.phone, Team.name, Volunteer.number, Volunteer.name,
                   when.column(Order.accepted_at), when.column(Order.completed_at),
                   Order.service_minutes, Rating.stars, cast(Rating.tags, Text), Rating.comment,
                   when.column(Rating.created_at))
               .order_by(Order.placed_at.desc(), Order.id.desc()))
    labels = {code: str(label) for code, label in STATUS_LABELS.items()}

    def rows():
        result = stream(columns)
        for (number, placed, site_name, service, brand, area, status, channel, phone,
             team, volunteer_number, volunteer_name, accepted, completed, minutes, stars,
             tags, comment, rated) in result:
            yield (number, when.text(placed), site_name, service, brand, area,
                   labels.get(status, status), CHANNEL_LABELS.get(channel, channel),
                   (phone or "") if full else mask_phone(phone), team or "",
                   volunteer_number or "",
                   (volunteer_name or "") if full else mask_name(volunteer_name),
                   when.text(accepted), when.text(completed), minutes, stars,
                   _tags(tags), comment or "", when.text(rated))

    return export_response("orders", fmt, header, rows, title=_("Orders"), full_records=full)
