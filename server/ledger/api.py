"""JSON endpoints: balances and statements for admins, the catalog for admins and kiosks."""

from __future__ import annotations

from flask import Blueprint, request

from ..core.api import error_responses
from ..core.auth import authorize, current_user, login_required, require_site
from ..core.errors import NotFound
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from ..devices.auth import current_device, device_required
from ..extensions import db
from ..volunteers.models import Volunteer
from . import catalog
from . import operations as ops
from .kiosk import volunteer_from_code
from .schemas import BALANCE, CATALOG, KIOSK_BALANCE, STATEMENT, item_out, statement_out
from .statement import statement

bp = Blueprint("ledger_api", __name__, url_prefix=API_PREFIX)


def _volunteer(number: str) -> Volunteer:
    volunteer = db.session.scalar(db.select(Volunteer).where(Volunteer.number == number))
    if volunteer is None:
        raise NotFound(_l("No volunteer with this number."), "volunteer_not_found")
    authorize(volunteer.home_site,
              missing=NotFound(_l("No volunteer with this number."), "volunteer_not_found"))
    return volunteer


@bp.get("/ledger/volunteers/<number>/balance")
@login_required
@documented("A volunteer's points balance (the sum of the ledger entries)",
            responses={200: ("balance", BALANCE), **error_responses(401, 403, 404)},
            tags=("ledger",), security=True)
def balance(number: str):
    volunteer = _volunteer(number)
    return {"number": volunteer.number, "balance": ops.balance(volunteer),
            "minutes": statement(volunteer).minutes}


@bp.get("/ledger/volunteers/<number>/statement")
@login_required
@documented("A volunteer's statement: every entry with its source, and totals by month",
            responses={200: ("statement", STATEMENT), **error_responses(401, 403, 404)},
            tags=("ledger",), security=True)
def volunteer_statement(number: str):
    return statement_out(statement(_volunteer(number)))


@bp.get("/ledger/catalog")
@login_required
@documented("Redemption catalog of a site in your scope (with what the units above offer)",
            query={"site_id": {"type": "integer"}},
            responses={200: ("items", CATALOG), **error_responses(401, 403, 404)},
            tags=("ledger",), security=True)
def admin_catalog():
    site_id = request.args.get("site_id", type=int)
    site = require_site(site_id) if site_id is not None else current_user().site
    return {"items": [item_out(i) for i in catalog.items_for(site)]}


@bp.get("/kiosk/catalog")
@device_required
@documented("What can be redeemed at this kiosk's site (active items only)",
            responses={200: ("items", CATALOG), **error_responses(401, 403)},
            tags=("kiosk", "ledger"), security="kiosk")
def kiosk_catalog():
    site = current_device().site
    return {"items": [item_out(i) for i in catalog.items_for(site, active_only=True)]}


@bp.get("/kiosk/balance")
@device_required
@documented("The points balance behind a scanned volunteer card, for the redemption screen. "
            "Takes the scanned code, not the number, so a kiosk learns only the balances of "
            "cards shown to it.",
            query={"code": {"type": "string"}},
            responses={200: ("balance", KIOSK_BALANCE),
                       **error_responses(400, 401, 403, 404, 410)},
            tags=("kiosk", "ledger"), security="kiosk")
def kiosk_balance():
    device = current_device()
    volunteer = volunteer_from_code(request.args.get("code", "")[:2000],
                                    source=f"kiosk {device.id}")
    return {"number": volunteer.number, "name": volunteer.masked_name,
            "balance": ops.balance(volunteer)}
