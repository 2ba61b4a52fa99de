"""Exports of dashboard lists: CSV (UTF-8 with a BOM) or XLSX, streamed in batches, audited."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from flask import Response, request, stream_with_context
from sqlalchemy import ColumnElement, Executable, Row, String, func, text, type_coerce

from ..extensions import db
from . import audit
from .csvfile import BOM, FORMULA_START, cell
from .db import writing
from .errors import ValidationError
from .i18n import _l
from .timeutil import LOCAL_TZ, local

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def export_format(args) -> str | None:
    """The `format` asked for (None: the page itself); a ValidationError for anything else."""
    value = args.get("format")
    if value is None or value == "":
        return None
    if value not in FORMATS:
        raise ValidationError(_l("Exports are CSV or XLSX."), "invalid_format", field="format")
    return value


def full_records_allowed(args) -> bool:
    """`full=1` asks for unmasked personal data; only the district's role allows it (anyone
    else gets the page's masking, and the audit entry says which it was)."""
    from .auth import current_user

    user = current_user()
    return args.get("full") == "1" and user is not None and user.is_district_admin


BATCH = 2000  # rows written by one writerows() call and sent as one chunk


def stream(statement: Executable) -> Iterator[Row]:
    """The rows of a Core `select` of columns, fetched `BATCH` at a time (a server-side cursor
    on PostgreSQL) on the session's connection: no ORM loading step for plain columns."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # A cursor's plan is by default made for its first tenth of rows (nested loops, index
        # order); an export reads every row, so plan as a plain query would.
        connection.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    return iter(connection.execute(statement.execution_options(yield_per=BATCH)))


class LocalTime:
    """How an export reads an instant as `timeutil.local` text, at a fraction of the cost of
    a datetime made and formatted per value (up to four instants a row). PostgreSQL formats it
    in the statement (to_char in LOCAL_TZ). SQLite hands over its stored UTC text, and the
    local text of its hour is worked out once (`SqliteUtcText`)."""

    def __init__(self):
        self.in_sql = db.session.get_bind().dialect.name == "postgresql"
        self.text: Callable[[Any], str] = _text_or_blank if self.in_sql else SqliteUtcText()

    def column(self, column: ColumnElement) -> ColumnElement:
        """`column` as the statement should read it; NULL stays NULL."""
        if self.in_sql:
            return func.to_char(func.timezone(LOCAL_TZ.key, column), "YYYY-MM-DD HH24:MI")
        return type_coerce(column, String)


def _text_or_blank(value: str | None) -> str:
    return "" if value is None else value


class SqliteUtcText:
    """`local()` of an instant given as SQLite's stored UTC text ("2026-03-04 05:06:07.000000").
    Within one UTC hour whose offset is a whole number of hours and does not change, the local
    text is that hour's local "YYYY-MM-DD HH:" and the minute as stored: the hour is converted
    once. Anything else (an hour of a change, a fractional offset, another text shape) goes
    through datetime and `local()`."""

    _SHAPES = (16, 19, 26)  # to the minute, the second, the microsecond; no offset

    def __init__(self):
        self.hours: dict[str, str | None] = {}

    def __call__(self, value: str | None) -> str:
        if value is None:
            return ""
        if len(value) in self._SHAPES and value[13] == ":":
            hour = value[:13]
            prefix = self.hours.get(hour, "")
            if prefix == "":
                prefix = self.hours[hour] = self._prefix(hour)
            if prefix is not None:
                return prefix + value[14:16]
        return local(datetime.fromisoformat(value))

    @staticmethod
    def _prefix(hour: str) -> str | None:
        try:
            start = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
        except ValueError:
            return None
        offset = start.astimezone(LOCAL_TZ).utcoffset()
        end = (start + timedelta(hours=1) - timedelta(microseconds=1)).astimezone(LOCAL_TZ)
        if offset != end.utcoffset() or offset % timedelta(hours=1):
            return None
        return local(start)[:14]


def _cells(row: Sequence) -> list:
    """`csvfile.cell` for each value, skipping the call where it could change nothing: the csv
    module writes None as "" and an int as its digits, and only text can look like a formula."""
    return [value if (value.__class__ is str and not value.startswith(FORMULA_START))
            or value is None or value.__class__ is int
            else cell(value) for value in row]


def csv_rows(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file in chunks, one per batch of rows: csv.writer.writerows into a StringIO."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    yield (BOM + out.getvalue()).encode("utf-8")
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        out.seek(0)
        out.truncate()
        writer.writerows(map(_cells, batch))
        yield out.getvalue().encode("utf-8")


def _xlsx_value(value):
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return cell(value)  # text, never a formula


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """Write the rows to a temporary XLSX file in openpyxl's write-only mode (rows go to disk
    as they come); returns its path, which the caller removes."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "export")
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
    except BaseException:
        os.unlink(path)
        raise
    return path


def _file_chunks(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def export_response(what: str, fmt: str, header: Sequence[str],
                    rows: Callable[[], Iterable[Sequence]], *, title: str,
                    filters: dict | None = None, full_records: bool = False) -> Response:
    """The export of one list as an attachment, audited first (`export.<what>` with the format
    and the filters) in a write transaction of its own; `rows()` is read as the body streams."""
    kept = {k: v for k, v in (filters if filters is not None else request.args).items()
            if k not in ("page", "format")}
    db.session.rollback()  # the page's read transaction: the entry is written on its own
    with writing():
        audit.record(f"export.{what}", format=fmt, filters=kept, full_records=full_records)
        db.session.commit()
    filename = f"{what}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "Cache-Control": "no-store"}
    if fmt == "csv":
        body = stream_with_context(csv_rows(header, rows()))
        return Response(body, mimetype="text/csv", headers=headers)
    path = xlsx_file(title, header, rows())
    headers["Content-Length"] = str(os.path.getsize(path))
    return Response(_file_chunks(path), mimetype=XLSX, headers=headers)
