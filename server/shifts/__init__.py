"""Shifts: sign-in and sign-out by kiosk, presence code, poster or admin; hours and approvals."""

from flask import Flask

from ..core.i18n import _l


def init_app(app: Flask) -> None:
    from ..devices import actions
    from ..devices.operations import add_change_feed
    from ..devices.schemas import SCANNED, action_body
    from ..features import add_nav, add_site_panel
    from ..volunteers.auth import add_phone_link
    from .admin import bp as admin_bp
    from .admin import site_panel
    from .mobile import bp as mobile_bp
    from .operations import open_at_site
    from .ways import prepare_sign, sign_action, sign_with_device

    # Every refusal of a card read happens before its first write (checked at run time), and
    # a card read changes nothing outside the database.
    actions.register("sign", sign_action, refuses_before_writing=True, undone_by_rollback=True,
                     prepare=prepare_sign, with_device=sign_with_device,
                     schema=action_body("sign", {"code": SCANNED, "direction": {
                         "type": "string", "nullable": True, "enum": ["in", "out", None],
                         "x-error-code": "invalid_direction"}}))
    add_change_feed("on_shift", lambda kiosk: open_at_site(kiosk.site_id))
    app.register_blueprint(admin_bp)
    app.register_blueprint(mobile_bp)
    add_nav(app, "shifts_admin.listing", _l("Shifts"), "shifts_admin", 35)
    add_site_panel(app, site_panel, 30)
    add_phone_link(app, "shifts_mobile.mine", _l("My shifts"), 20)
