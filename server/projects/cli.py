"""`flask projects board --month 2026-03`: the 一月一助 board of a month, as text."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.fields import parse_month

group = AppGroup("projects", help="Featured projects and the 一月一助 claims.")
groups = (group,)


@group.command("board")
@click.option("--month", required=True, help="e.g. 2026-03")
def board(month):
    """Every claim of the month, with its state."""
    from . import operations as ops

    first = parse_month(month)
    for row in ops.claims_for_month(first):
        click.echo(f"{row.project.name}\t{row.claimant_name}\t{row.status}\t"
                   f"{row.sessions_delivered}/{row.sessions_planned}")
    done = ops.completion([first])[0]
    click.echo(f"{done.delivered} of {done.claims} delivered")
