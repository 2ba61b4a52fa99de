"""The site tree: district center → institutes (所) → stations (站) → service points (点)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav
    from .admin import bp as admin_bp
    from .api import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    add_nav(app, "sites_admin.browse", _l("Network"), "sites_admin", 10)
