"""Locale choice: Simplified Chinese by default, English on request (kept in the session)."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

__all__ = ["LOCALES", "_", "_l", "bp", "select_locale"]

# locale code -> the name shown in the switch, in its own language
LOCALES = {"zh_Hans_CN": "中文", "en": "English"}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    chosen = session.get("locale") if has_request_context() else None
    if chosen in LOCALES:
        return chosen
    return current_app.config["DEFAULT_LOCALE"]


@bp.get("/lang/<code>")
def switch(code: str):
    if code in LOCALES:
        session["locale"] = code
    target = request.args.get("next", "")
    # Only local paths: an open redirect here would be a phishing aid on a public poster domain.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("dashboard.home")
    return redirect(target)
