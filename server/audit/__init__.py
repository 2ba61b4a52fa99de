"""The audit log's pages and commands: search it, export it, verify its hash chain."""

from flask import Flask

from ..core.i18n import _l
from ..features import add_nav


def init_app(app: Flask) -> None:
    from .admin import bp

    app.register_blueprint(bp)
    add_nav(app, "audit_admin.listing", _l("Audit log"), "audit_admin", 90)
