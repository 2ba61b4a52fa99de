"""Volunteers and teams: records, personal codes and cards, phone logins, dashboard and API."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav
    from . import admin_bulk  # noqa: F401  (its routes are on the volunteers blueprint)
    from .admin import bp as admin_bp
    from .admin_teams import bp as teams_bp
    from .api import bp as api_bp
    from .mobile import bp as mobile_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(mobile_bp)
    add_nav(app, "volunteers_admin.index", _l("Volunteers"), "volunteers_admin", 30)
    add_nav(app, "teams_admin.index", _l("Teams"), "teams_admin", 31)
