"""Rollups the reports read instead of a year of raw rows, kept by the database itself.

`ShiftMonth` holds, for each site and local month, the shifts started there (sign-ins) and the
minutes that count (review "none" or "approved"). Triggers on `shift` keep it in step with
every INSERT, UPDATE of a column it depends on and DELETE, whoever writes (the kiosk's hand-
written statements, the ORM, a bulk load, psql), inside the writer's own transaction, so a
report never reads a rollup that disagrees with the shifts it has committed. A province's
million shifts of a year fold into about a hundred thousand rows.

`check()` recomputes the rollup from the shifts and names every row that drifted (a trigger
dropped by hand, rows written while it was missing); `rebuild()` makes it whole again. Both are
`flask reports rollup-check [--repair]`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DDL, ForeignKey, Integer, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# Local months by a fixed offset: Asia/Shanghai has kept UTC+8 without summer time since 1991
# (tests/reports/test_rollup.py fails if LOCAL_TZ changes to a zone where that is not so).
LOCAL_OFFSET_HOURS = 8
COUNTED = ("none", "approved")  # reviews whose minutes count (the figures read the same)
COUNTED_SQL = "(" + ", ".join(f"'{review}'" for review in COUNTED) + ")"  # as triggers spell it


class ShiftMonth(db.Model):
    __tablename__ = "report_shift_month"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "YYYY-MM", local
    sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)


def _counted(row: str) -> str:
    return (f"CASE WHEN {row}.review IN {COUNTED_SQL} "
            f"THEN coalesce({row}.credited_minutes, 0) ELSE 0 END")


_SQLITE_MONTH = "strftime('%Y-%m', {row}.started_at, '+{hours} hours')"
_PG_MONTH = "to_char(({row}.started_at AT TIME ZONE 'UTC') + interval '{hours} hours', 'YYYY-MM')"


def _month(dialect: str, row: str) -> str:
    spelling = _SQLITE_MONTH if dialect == "sqlite" else _PG_MONTH
    return spelling.format(row=row, hours=LOCAL_OFFSET_HOURS)


def _add(dialect: str, row: str) -> str:
    table = "report_shift_month"
    prefix = "" if dialect == "sqlite" else f"{table}."
    return (f"INSERT INTO {table} (site_id, month, sign_ins, minutes) "
            f"VALUES ({row}.site_id, {_month(dialect, row)}, 1, {_counted(row)}) "
            f"ON CONFLICT (site_id, month) DO UPDATE SET "
            f"sign_ins = {prefix}sign_ins + excluded.sign_ins, "
            f"minutes = {prefix}minutes + excluded.minutes")


def _take(dialect: str, row: str) -> str:
    return (f"UPDATE report_shift_month SET sign_ins = sign_ins - 1, "
            f"minutes = minutes - {_counted(row)} "
            f"WHERE site_id = {row}.site_id AND month = {_month(dialect, row)}")


DEPENDS_ON = "site_id, started_at, review, credited_minutes"

# The revision that made them holds its own copy (revisions are frozen); tests/test_migrations.py
# compares the two, body by body.
ROLLUP_DDL = {
    "sqlite": (
        f"CREATE TRIGGER shift_month_insert AFTER INSERT ON shift BEGIN "
        f"{_add('sqlite', 'NEW')}; END",
        f"CREATE TRIGGER shift_month_update AFTER UPDATE OF {DEPENDS_ON} ON shift BEGIN "
        f"{_take('sqlite', 'OLD')}; {_add('sqlite', 'NEW')}; END",
        f"CREATE TRIGGER shift_month_delete AFTER DELETE ON shift BEGIN "
        f"{_take('sqlite', 'OLD')}; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION shift_month_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_take('postgresql', 'OLD')}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_add('postgresql', 'NEW')}; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER shift_month_rollup AFTER INSERT OR DELETE OR UPDATE OF {DEPENDS_ON} "
        "ON shift FOR EACH ROW EXECUTE FUNCTION shift_month_rollup()",
    ),
}
ROLLUP_DROP_DDL = {
    "sqlite": tuple(f"DROP TRIGGER IF EXISTS shift_month_{what}"
                    for what in ("insert", "update", "delete")),
    "postgresql": ("DROP TRIGGER IF EXISTS shift_month_rollup ON shift",
                   "DROP FUNCTION IF EXISTS shift_month_rollup()"),
}
# After every table exists: the triggers sit on `shift` and write this table.
for _dialect, _statements in ROLLUP_DDL.items():
    for _statement in _statements:
        event.listen(db.metadata, "after_create",  # DDL formats with %: strftime's are doubled
                     DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))


def recomputed_sql(dialect: str) -> str:
    """The rollup as the shifts say it should be: (site_id, month, sign_ins, minutes)."""
    month = _month(dialect, "shift")
    return (f"SELECT shift.site_id, {month} AS month, count(*) AS sign_ins, "
            f"sum({_counted('shift')}) AS minutes FROM shift GROUP BY shift.site_id, {month}")


@dataclass(frozen=True)
class Drift:
    site_id: int
    month: str
    stored: tuple[int, int]  # (sign-ins, minutes); (0, 0) where the row is missing
    recomputed: tuple[int, int]


def check(connection) -> list[Drift]:
    """Every (site, month) whose stored figures differ from the shifts'."""
    dialect = connection.dialect.name
    truth = {(r.site_id, r.month): (int(r.sign_ins), int(r.minutes))
             for r in connection.execute(text(recomputed_sql(dialect)))}
    stored = {(r.site_id, r.month): (int(r.sign_ins), int(r.minutes))
              for r in connection.execute(text(
                  "SELECT site_id, month, sign_ins, minutes FROM report_shift_month"))}
    drifted = []
    for key in sorted(truth.keys() | stored.keys()):
        have, want = stored.get(key, (0, 0)), truth.get(key, (0, 0))
        if have != want:
            drifted.append(Drift(key[0], key[1], have, want))
    return drifted


def rebuild(connection) -> int:
    """Replace the rollup by the shifts' figures; the number of rows written."""
    connection.execute(text("DELETE FROM report_shift_month"))
    result = connection.execute(text(
        "INSERT INTO report_shift_month (site_id, month, sign_ins, minutes) "
        + recomputed_sql(connection.dialect.name)))
    return result.rowcount

