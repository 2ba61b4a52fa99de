"""flask shifts …: the scheduled rule that closes forgotten sign-outs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.cli import commit_or_fail
from . import operations as ops

group = AppGroup("shifts", help="Volunteer shifts.")
groups = (group,)


@group.command("close-forgotten")
def close_forgotten():
    """Close shifts open longer than their site's maximum (run it from cron every 15 minutes)."""
    closed = commit_or_fail(ops.close_forgotten)
    click.echo(f"closed {closed} forgotten shifts")
