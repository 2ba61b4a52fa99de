"""Every timestamp column turns its bound values to UTC (UtcDateTime), so a new column cannot
bring back SQLite's eight-hour drift for local-day bounds (tests/shifts/test_local_days.py)."""

from __future__ import annotations

from sqlalchemy import DateTime

from server.core.timeutil import UtcDateTime


def test_every_timestamp_column_is_utc_datetime(db):
    plain = [f"{table.name}.{column.name}" for table in db.metadata.sorted_tables
             for column in table.columns
             if isinstance(column.type, DateTime) and not isinstance(column.type, UtcDateTime)]
    timestamps = [column for table in db.metadata.sorted_tables for column in table.columns
                  if isinstance(column.type, UtcDateTime)]
    assert plain == []
    assert len(timestamps) > 50
