"""Kiosk devices: enrollment, bearer authentication, health and the action batch upload."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav, add_site_panel
    from .admin import bp as admin_bp
    from .admin import site_panel
    from .api import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    add_nav(app, "devices_admin.overview", _l("Kiosks"), "devices_admin", 45)
    add_site_panel(app, site_panel, 20)
