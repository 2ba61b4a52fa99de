"""Bench-only app: the real server plus a bare endpoint doing one INSERT (never in the product),
served as server/wsgi.py serves the product."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from server import create_app, ready_to_serve
from server.extensions import csrf, db

metadata = MetaData()
bench_row = Table("bench_row", metadata, Column("id", Integer, primary_key=True),
                  Column("note", String(64)))


def make_app():
    app = create_app({"RATELIMIT_ENABLED": False})

    @csrf.exempt
    def bare_insert():
        # One INSERT through the same stack: session, per-request commit, JSON answer.
        db.session.execute(insert(bench_row).values(note="x"))
        return {"ok": True}

    app.add_url_rule("/bench/insert", "bench_insert", bare_insert, methods=["POST"])
    return app


app = ready_to_serve(make_app())
