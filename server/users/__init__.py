"""Dashboard accounts: district, institute and station admins, each scoped to a subtree."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav
    from .accounts_admin import bp as accounts_bp
    from .admin import bp as admin_bp
    from .api import bp as api_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(accounts_bp)
    add_nav(app, "accounts_admin.listing", _l("Accounts"), "accounts_admin", 95)
