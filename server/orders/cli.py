"""`flask orders`: escalation of orders nobody accepted in time."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.cli import commit_or_fail

group = AppGroup("orders", help="Service orders.")
groups = (group,)


@group.command("escalate")
def escalate():
    """Hand orders not accepted in time to the parent unit (safe to run again; run it from
    cron every few minutes)."""
    from .dispatch import escalate_overdue

    moved = commit_or_fail(lambda: [(o.number, o.unit.name) for o in escalate_overdue()])
    for number, unit in moved:
        click.echo(f"{number} -> {unit}")
    click.echo(f"escalated {len(moved)} orders")
