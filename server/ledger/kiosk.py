"""The kiosk's `redeem` action: a volunteer shows the volunteer code to spend points."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..core.errors import NotFound, ValidationError
from ..core.i18n import _l
from ..extensions import db
from ..volunteers.models import Volunteer
from . import catalog
from . import operations as ops


def volunteer_from_code(text, *, source: str) -> Volunteer:
    """The volunteer a scanned card code names; refused codes raise CodeRejected."""
    from ..codes.operations import resolve

    if not isinstance(text, str) or not text or len(text) > 2000:
        raise ValidationError(_l("Scan the volunteer code."), "invalid_code", field="code")
    code = resolve(text, expected_type="volunteer", source=source)
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.number == code.subject))
    if volunteer is None:
        raise NotFound(_l("No volunteer has this code."), "volunteer_not_found", field="code")
    return volunteer


def redeem_action(device, body: dict, client_time: datetime, clock_skewed: bool) -> dict:
    """body: {"code": scanned volunteer code, "item_id": int, "quantity": int (default 1)}."""
    volunteer = volunteer_from_code(body.get("code"), source=f"kiosk {device.id}")
    item = catalog.get_item(body.get("item_id"))
    redemption = catalog.redeem(volunteer, item, body.get("quantity", 1), device=device)
    return {"redemption_id": redemption.id, "item": item.name, "quantity": redemption.quantity,
            "points": redemption.points, "balance": ops.balance(volunteer),
            "volunteer": volunteer.masked_name, "stock": item.stock}
