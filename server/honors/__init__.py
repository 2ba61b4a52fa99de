"""The honor roll (先进典型): nominated by units, approved by the district, shown on kiosk idle
screens and landing pages, with re-encoded portraits."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_landing, add_nav
    from . import admin, public

    for bp in (admin.bp, public.bp, public.api):
        app.register_blueprint(bp)
    add_nav(app, "honors_admin.listing", _l("Honor roll"), "honors_admin", 52)
    add_landing(app, public.landing_section, 40)
