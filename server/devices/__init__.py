"""Kiosk devices: enrollment, bearer authentication, health and the action batch upload."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav
    from .admin import bp as admin_bp
    from .api import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    add_nav(app, "devices_admin.overview", _l("Kiosks"), "devices_admin", 45)
