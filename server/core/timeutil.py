"""UTC time helpers: everything stored is timezone-aware UTC, shown in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local(value: datetime | None) -> str:
    """The instant as local wall-clock time to the minute: 2026-03-04 13:06."""
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite's naive UTC
        value = value.replace(tzinfo=UTC)
    # isoformat, not strftime: the same text for years from 1000, in half the time (exports
    # format several instants per row); [:16] drops the offset.
    return value.astimezone(LOCAL_TZ).isoformat(" ", "minutes")[:16]


class UtcDateTime(TypeDecorator):
    """A timezone-aware timestamp column whose every bound value is turned to UTC first.

    PostgreSQL compares `timestamptz` values by the instant, whatever their zone. SQLite keeps
    the value's wall-clock text and drops its zone, so a bound that is 00:00 in Asia/Shanghai
    would compare as 00:00 UTC, eight hours off, against stored UTC text. Turning every aware
    value to UTC before it is bound makes a local-day range (from=/to=, a report's month) mean
    the same instants on both databases. Naive values are taken to be UTC already."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def coerce_compared_value(self, op, value):
        # A datetime compared or bound against the column takes this type (and its UTC turn);
        # anything else (a timedelta in `at - interval`) takes what DateTime would give it.
        if isinstance(value, datetime):
            return self
        return self.impl.coerce_compared_value(op, value)

    def process_bind_param(self, value, dialect):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value
