"""The time bank (时间银行): points for hours, an append-only ledger, redemption."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..devices import actions
    from ..devices.schemas import ID, SCANNED, action_body
    from ..features import add_nav
    from ..volunteers.auth import add_phone_link
    from . import admin, api, mobile, record_admin
    from .kiosk import redeem_action

    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(mobile.bp)
    app.register_blueprint(record_admin.bp)
    add_nav(app, "ledger_admin.transfers", _l("Time bank"), "ledger_admin", 60)
    add_phone_link(app, "ledger_mobile.points", _l("My points and statement"), 30)
    actions.register("redeem", redeem_action, schema=action_body("redeem", {
        "code": SCANNED, "item_id": ID, "quantity": {"type": "integer"}}))
