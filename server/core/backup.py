"""`flask backup PATH`: a consistent copy of the database while the server runs.

SQLite: the online backup API (`sqlite3.Connection.backup`), page by page, consistent even
with writers running (WAL); the copy is a plain database file (restore: stop the server, put
the file in place of the old one, start it). PostgreSQL: the command prints the `pg_dump`
invocation to use (custom format, restored with `pg_restore`), as a dump is pg_dump's job.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from ..extensions import db


def backup_sqlite(source: str, target: Path) -> int:
    """Copy the SQLite database `source` to `target` (not overwriting); returns its size."""
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(partial)) as dst:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    os.replace(partial, target)
    return target.stat().st_size


def pg_dump_command(url, target: Path) -> str:
    parts = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    if url.host:
        parts.append(f"--host={url.host}")
    if url.port:
        parts.append(f"--port={url.port}")
    if url.username:
        parts.append(f"--username={url.username}")
    parts.append(url.database or "")
    return shlex.join(parts)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH (SQLite), or print the pg_dump command
    for PostgreSQL."""
    url = make_url(str(db.engine.url))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise click.ClickException("an in-memory database cannot be backed up")
        size = backup_sqlite(url.database, path)
        click.echo(f"backed up {url.database} to {path} ({size} bytes)")
        return
    click.echo("PostgreSQL: run pg_dump (PGPASSWORD or ~/.pgpass for the password):")
    click.echo("  " + pg_dump_command(url, path))
    click.echo(f"restore into an empty database: pg_restore --no-owner --dbname=NEWDB {path}")
