"""`flask demo load`: the demo district, every feature's part in dependency order."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.cli import commit_or_fail

group = AppGroup("demo", help="Demo data of 昭化区.")
groups = (group,)


@group.command("load")
def load_demo():
    """Load the demo district (safe to repeat)."""
    from ..demo.operations import load_district

    added = commit_or_fail(load_district)
    summary = ", ".join(f"{count} {kind}" for kind, count in added.items())
    click.echo(f"demo district ready; added: {summary}")
