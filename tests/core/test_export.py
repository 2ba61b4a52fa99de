"""The CSV export's batches write what the plain csv module writes row by row through
`csvfile.cell`: the same bytes for every kind of value, across batch boundaries."""

from __future__ import annotations

from server.core.csvfile import csv_text
from server.core.export import BATCH, csv_rows
from server.core.i18n import _l

VALUES = [None, 0, -5, 12, 3.5, -0.25, True, "", "text", "=SUM(A1)", "+8613800000000",
          "-3", "-x", "@home", "\tindent", "\rline", 'say "hi", then\nleave', "中文、顿号",
          _l("yes")]


def test_batches_write_the_bytes_of_the_row_by_row_writer(app):
    header = ["#", "=header", "名称"]
    rows = [(i, VALUES[i % len(VALUES)], VALUES[(i * 7) % len(VALUES)])
            for i in range(2 * BATCH + 3)]
    with app.test_request_context():
        chunks = list(csv_rows(header, iter(rows)))
        assert b"".join(chunks) == csv_text(header, rows).encode("utf-8")
    assert len(chunks) == 1 + 3  # the header, then one chunk per batch
    assert chunks[0].startswith("\ufeff".encode())


def test_an_empty_export_is_its_header(app):
    with app.test_request_context():
        assert b"".join(csv_rows(["a", "b"], [])) == "\ufeffa,b\r\n".encode()


def test_sqlite_utc_text_is_local_of_the_instant():
    """Every shape SQLite may hold, over LMT (before 1901), China's DST years (1986-1991) and
    today, to the microsecond: the same text as local() of the datetime."""
    import random
    from datetime import UTC, datetime, timedelta

    from server.core.export import SqliteUtcText
    from server.core.timeutil import local

    text = SqliteUtcText()
    draw = random.Random(16)
    instants = [datetime(1890, 1, 1, tzinfo=UTC) + timedelta(
        seconds=draw.randrange(0, 160 * 365 * 86400), microseconds=draw.randrange(10**6))
        for _ in range(20_000)]
    instants += [datetime(1986, 5, 3, 15, tzinfo=UTC) + timedelta(minutes=m)
                 for m in range(0, 3 * 24 * 60, 7)]  # around a change of offset
    for instant in instants:
        naive = instant.replace(tzinfo=None)
        for stored in (f"{naive:%Y-%m-%d %H:%M:%S.%f}", f"{naive:%Y-%m-%d %H:%M:%S}",
                       f"{naive:%Y-%m-%d %H:%M}", f"{naive:%Y-%m-%dT%H:%M:%S}+00:00"):
            assert text(stored) == local(instant.replace(second=0, microsecond=0)
                                         if len(stored) == 16 else instant), stored
    assert text(None) == ""
