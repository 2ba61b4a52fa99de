"""Activities and the rhythm: Friday activity days, monthly themes, sign-ups with a waitlist,
attendance from sign-ins by code, iCalendar feeds, the kiosk's idle screen, the counts."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_landing, add_nav
    from . import admin, api, kiosk_api, mobile

    for bp in (api.bp, kiosk_api.bp, admin.bp, mobile.bp):
        app.register_blueprint(bp)
    add_nav(app, "activities_admin.listing", _l("Activities"), "activities_admin", 50)
    add_landing(app, mobile.landing_section, 20)
    mobile.register_phone_link(app)
