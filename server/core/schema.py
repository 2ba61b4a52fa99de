"""Schema helpers shared by the models."""

from __future__ import annotations

from sqlalchemy import Index, text


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A partial unique index, the same on SQLite and PostgreSQL: "at most one row with …"."""
    condition = text(where)
    return Index(name, *columns, unique=True, sqlite_where=condition,
                 postgresql_where=condition)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a check constraint "column is one of these words"."""
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


# The largest id PostgreSQL's integer column holds: a larger one in a URL or a form is "not
# found", never a database error.
ID_MAX = 2**31 - 1


def parse_id(value) -> int | None:
    """An id typed in a URL, form or JSON body, or None when it cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= ID_MAX else None
