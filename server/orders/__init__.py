"""Service orders: 点单 → 派单 → 接单 → 服务 → 评单, by phone and kiosk, with an Open311 face."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav, add_site_panel
    from . import admin, api, kiosk, kiosk_api, mobile, open311, volunteer

    for bp in (api.bp, kiosk_api.bp, admin.bp, mobile.bp, volunteer.bp, open311.bp):
        app.register_blueprint(bp)
    add_nav(app, "orders_admin.board_page", _l("Orders"), "orders_admin", 40)
    add_site_panel(app, admin.site_panel, 40)
    kiosk.register_actions()
    volunteer.register_phone_link(app)
