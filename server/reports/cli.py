"""`flask reports rollup-check [--repair]`: the monthly rollup against the shifts it sums."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.db import writing
from ..extensions import db
from . import models

group = AppGroup("reports", help="The reports' rollups: check them against their records.")
groups = (group,)


@group.command("rollup-check")
@click.option("--repair", is_flag=True, help="Rebuild the rollup from the shifts if it drifted.")
def rollup_check_command(repair: bool) -> None:
    """Recompute each site's monthly sign-ins and minutes from the shifts; exit 1 if a stored
    row differs (after rebuilding it, with --repair)."""
    with db.engine.connect() as connection:
        drifted = models.check(connection)
    if not drifted:
        click.echo("shift rollup matches the shifts")
        return
    for drift in drifted[:20]:
        click.echo(f"site {drift.site_id} {drift.month}: stored sign-ins/minutes "
                   f"{drift.stored[0]}/{drift.stored[1]}, shifts say "
                   f"{drift.recomputed[0]}/{drift.recomputed[1]}", err=True)
    click.echo(f"{len(drifted)} rollup rows drifted", err=True)
    if repair:
        with writing(), db.engine.begin() as connection:
            written = models.rebuild(connection)
        click.echo(f"rebuilt: {written} rows", err=True)
    raise SystemExit(1)
