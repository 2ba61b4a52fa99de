"""Service orders: 点单 → 派单 → 接单 → 服务 → 评单, by phone and kiosk, with an Open311 face."""

from __future__ import annotations

import os

from flask import Flask

# name -> default; each may be set as WENMING_<NAME> in the environment or in the test config.
SETTINGS = {
    "ORDERS_PHONE_DAILY_LIMIT": 5,  # orders one phone number may place per local day
    "ORDERS_REOPEN_DAYS": 7,  # a resident may reopen within this many days of completion
    "ORDERS_ACCEPT_TIMEOUT_MINUTES": 120,  # default wait before escalation to the parent unit
    "ORDERS_RATELIMIT": "10 per minute",  # order form posts per client address
    "OPEN311_JURISDICTION": "",  # empty: the host of BASE_URL
    "OPEN311_API_KEYS": "",  # comma-separated keys allowed to POST requests.json
}


def _configure(app: Flask) -> None:
    for name, default in SETTINGS.items():
        raw = os.environ.get("WENMING_" + name)
        value = default if raw in (None, "") else type(default)(raw)
        app.config.setdefault(name, value)


def init_app(app: Flask) -> None:
    from ..core.i18n import _l
    from ..features import add_nav
    from . import admin, api, kiosk, kiosk_api, mobile, open311, volunteer

    _configure(app)
    for bp in (api.bp, kiosk_api.bp, admin.bp, mobile.bp, volunteer.bp, open311.bp):
        app.register_blueprint(bp)
    add_nav(app, "orders_admin.board_page", _l("Orders"), "orders_admin", 40)
    kiosk.register_actions()
    volunteer.register_phone_link(app)
