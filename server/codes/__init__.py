"""Service codes on the server: signing keys, issuing, rotating, revoking, resolving, printing."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..features import add_site_panel
    from .admin import bp as admin_bp
    from .admin import site_panel
    from .api import bp as api_bp
    from .mobile import bp as mobile_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(mobile_bp)
    add_site_panel(app, site_panel, 10)
