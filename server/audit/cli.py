"""`flask audit verify` (the hash chain holds, else where it breaks) and `flask audit chain`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core import audit
from ..core.db import writing
from ..extensions import db

group = AppGroup("audit", help="The audit log: verify its hash chain.")
groups = (group,)


@group.command("verify")
def verify_command() -> None:
    """Check every entry's hash and link; exit 1 at the first entry altered, inserted or
    removed."""
    with db.engine.connect() as connection:
        checked, found = audit.verify(connection)
    if found is None:
        click.echo(f"audit chain intact: {checked} entries")
        return
    click.echo(f"audit chain broken ({found.kind}): {found.message}; "
               f"{checked} entries before it hold", err=True)
    raise SystemExit(1)


@group.command("chain")
def chain_command() -> None:
    """Give entries written before the chain existed their place in it (once, after upgrading;
    an entry inserted by hand afterwards would be chained too, so look at `verify` first)."""
    with writing(), db.engine.begin() as connection:
        count = audit.chain_unsealed(connection)
    click.echo(f"{count} entries chained")
