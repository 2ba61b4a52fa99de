"""Service codes on the server: signing keys, issuing, rotating, revoking, resolving, printing."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .mobile import bp as mobile_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(mobile_bp)
