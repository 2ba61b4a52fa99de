"""How the rhythm's times read on screens: "3月6日 周五 09:00–11:30" in Chinese."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale

from ..core.i18n import _l
from ..core.timeutil import LOCAL_TZ, as_utc

WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_chinese() -> bool:
    try:
        return str(get_locale() or "zh").startswith("zh")
    except (RuntimeError, AttributeError):  # outside a request: the kiosk's language
        return True


def day_text(day: date, *, year: bool = False) -> str:
    weekday = str(WEEKDAYS[day.weekday()])
    if is_chinese():
        prefix = f"{day.year}年" if year else ""
        return f"{prefix}{day.month}月{day.day}日 {weekday}"
    suffix = f" {day.year}" if year else ""
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]}{suffix}"


def when_text(starts_at: datetime, ends_at: datetime, *, year: bool = False) -> str:
    """The year shows when asked, or when it is not this year's."""
    from datetime import datetime as clock

    start = as_utc(starts_at).astimezone(LOCAL_TZ)
    end = as_utc(ends_at).astimezone(LOCAL_TZ)
    year = year or start.year != clock.now(LOCAL_TZ).year
    if start.date() == end.date():
        return f"{day_text(start.date(), year=year)} {start:%H:%M}–{end:%H:%M}"
    return f"{day_text(start.date(), year=year)} {start:%H:%M} – " \
           f"{day_text(end.date(), year=year)} {end:%H:%M}"


def month_text(month: date) -> str:
    return f"{month.year}年{month.month}月" if is_chinese() else \
        f"{MONTHS_EN[month.month - 1]} {month.year}"


def public_url(endpoint: str, **values) -> str:
    """An address on the deployment's own domain (BASE_URL), as printed codes use: what a
    calendar app or a kiosk keeps must not depend on the host a request came in by."""
    from flask import current_app, url_for

    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
