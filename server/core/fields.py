"""Reading what people type into the rhythm's forms and JSON bodies: bounded text, whole
numbers, local date-times and months. Each refusal names the field in the person's words."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta

from .errors import ValidationError
from .i18n import _l
from .timeutil import LOCAL_TZ, as_utc

YEAR_MIN, YEAR_MAX = 2000, 2100
#: The longest reason a person may give for a change of record (columns are String(200)).
REASON_MAX = 200


def _has_control(text: str) -> bool:
    """NUL and other control characters (tab and line breaks allowed), lone surrogates."""
    return any((unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r")
               for ch in text)


def clean_text(value, field: str, label, limit: int, *, required: bool = False,
               one_line: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_l("%(field)s must be text.", field=label), "invalid_type",
                              field=field)
    if _has_control(value):
        raise ValidationError(_l("%(field)s holds characters that cannot be shown.",
                                 field=label), "invalid_text", field=field)
    value = " ".join(value.split()) if one_line else value.strip()
    if required and not value:
        raise ValidationError(_l("%(field)s is required.", field=label), "required", field=field)
    if len(value) > limit:
        raise ValidationError(
            _l("%(field)s is too long (at most %(n)d characters).", field=label, n=limit),
            "too_long", field=field)
    return value


def clean_reason(value, missing=None, *, limit: int = REASON_MAX) -> str:
    """Why an admin withdraws, revokes, corrects or reverses something: one line, required.

    The one reason rule of every operation that asks for one (codes, devices, shifts, ledger,
    volunteers). `missing` says what the action needs ("Say why the kiosk is revoked."); errors
    are `reason_required`, `invalid_text` and `too_long` on the field `reason`.
    """
    text = value if isinstance(value, str) else ""
    if _has_control(text):
        raise ValidationError(_l("The reason holds characters that cannot be shown."),
                              "invalid_text", field="reason")
    text = " ".join(text.split())
    if not text:
        raise ValidationError(missing or _l("Please give a reason."), "reason_required",
                              field="reason")
    if len(text) > limit:
        raise ValidationError(_l("The reason is too long (at most %(n)d characters).", n=limit),
                              "too_long", field="reason")
    return text


def clean_int(value, field: str, label, *, low: int, high: int,
              required: bool = True) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(_l("%(field)s is required.", field=label), "required",
                                  field=field)
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        number = None
    elif isinstance(value, int | float):
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() \
            and len(value.strip()) <= 9:
        number = int(value.strip())
    else:
        number = None
    if number is None or not low <= number <= high:
        raise ValidationError(_l("%(field)s must be a whole number from %(low)d to %(high)d.",
                                 field=label, low=low, high=high), "invalid_number",
                              field=field)
    return number


def parse_moment(value, field: str, label) -> datetime:
    """A local date-time from a form ("2026-03-06T09:00", Asia/Shanghai) or ISO 8601 with an
    offset (JSON), as UTC; years 2000 to 2100."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip() and len(value) <= 40 and value.isascii():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    else:
        moment = None
    if moment is None or not YEAR_MIN <= moment.year <= YEAR_MAX:
        raise ValidationError(_l("%(field)s: please give a date and time.", field=label),
                              "invalid_time", field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return as_utc(moment)


def parse_month(value, field: str = "month", label=None) -> date:
    """"2026-03" (or a date in it) → the first day of that month."""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    if isinstance(value, date):
        return value.replace(day=1)
    text = value.strip() if isinstance(value, str) else ""
    parts = text.split("-")
    if len(parts) in (2, 3) and all(p.isascii() and p.isdigit() for p in parts) \
            and len(parts[0]) == 4 and 1 <= len(parts[1]) <= 2:
        year, month = int(parts[0]), int(parts[1])
        if YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12:
            return date(year, month, 1)
    raise ValidationError(_l("%(field)s: please give a month like 2026-03.",
                             field=label or _l("Month")), "invalid_month", field=field)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's local start and the next month's local start, as UTC moments."""
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    end = datetime.combine(next_month(month), datetime.min.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def this_month(now: datetime) -> date:
    return as_utc(now).astimezone(LOCAL_TZ).date().replace(day=1)
