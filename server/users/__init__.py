"""Dashboard accounts: district, institute and station admins, each scoped to a subtree."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
