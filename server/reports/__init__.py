"""The reports page: a subtree's figures for a period, charts with their tables."""

from flask import Flask

from ..core.i18n import _l
from ..features import add_nav


def init_app(app: Flask) -> None:
    from .admin import bp

    app.register_blueprint(bp)
    add_nav(app, "reports_admin.page", _l("Reports"), "reports_admin", 85)
