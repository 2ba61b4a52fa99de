"""Function rooms (功能室) in five zones: bookable from the poster on the door, approved by the
unit, never double-booked (the database refuses an overlap)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_landing, add_nav
    from . import admin, mobile

    app.register_blueprint(admin.bp)
    app.register_blueprint(mobile.bp)
    add_nav(app, "rooms_admin.listing", _l("Rooms"), "rooms_admin", 53)
    add_landing(app, mobile.landing_section, 10)
