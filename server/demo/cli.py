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


@group.command("province")
@click.option("--scale", type=click.FloatRange(0.0001, 1.0), default=1.0, show_default=True,
              help="Fraction of the full province (10,000 sites, 100,000 volunteers, "
                   "1,000,000 shifts, 200,000 orders).")
@click.option("--seed", type=int, default=2024, show_default=True,
              help="The same seed and day give the same rows.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the generated year (local; default today).")
def load_province(scale: float, seed: int, until):
    """Generate a province-sized network into an empty database, in bulk."""
    from ..demo.district import DEMO_PASSWORD
    from ..demo.province import DISTRICT_ADMIN, INSTITUTE_ADMIN, build

    built = commit_or_fail(lambda: build(scale=scale, seed=seed,
                                         until=until.date() if until else None,
                                         progress=click.echo))
    summary = ", ".join(f"{count} {table}" for table, count in built.counts.items())
    click.echo(f"province ready in {built.seconds:.1f} s: {summary}")
    click.echo(f"logins: {DISTRICT_ADMIN} (province), {INSTITUTE_ADMIN} (one institute), "
               f"password {DEMO_PASSWORD}")
