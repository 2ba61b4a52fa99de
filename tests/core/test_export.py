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
