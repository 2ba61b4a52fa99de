"""Schema helpers shared by the models."""

from __future__ import annotations

from sqlalchemy import Index, text


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A partial unique index, the same on SQLite and PostgreSQL: "at most one row with …"."""
    condition = text(where)
    return Index(name, *columns, unique=True, sqlite_where=condition,
                 postgresql_where=condition)
