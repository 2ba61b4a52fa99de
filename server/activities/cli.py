"""`flask activities …`: the Friday activity day for a subtree, a month's theme, the counts."""

from __future__ import annotations

from datetime import time

import click
from flask.cli import AppGroup

from ..core.cli import commit_or_fail
from ..core.fields import parse_month

group = AppGroup("activities", help="Activities, Friday activity days and monthly themes.")
groups = (group,)


def _site(site_id: int):
    from ..sites.operations import get_site

    return get_site(site_id)


@group.command("friday")
@click.option("--site", "site_id", type=int, required=True, help="root of the subtree")
@click.option("--month", required=True, help="e.g. 2026-03")
@click.option("--title", required=True)
@click.option("--brand", required=True)
@click.option("--area", "content_area", required=True)
@click.option("--from", "starts", default="09:00")
@click.option("--to", "ends", default="11:30")
@click.option("--capacity", type=int, default=None)
def friday(site_id, month, title, brand, content_area, starts, ends, capacity):
    """Every Friday of MONTH, one activity at each station below SITE (safe to repeat)."""
    from . import operations as ops

    def work():
        return ops.friday_days(_site(site_id), parse_month(month), title=title, brand=brand,
                               content_area=content_area, starts=time.fromisoformat(starts),
                               ends=time.fromisoformat(ends), capacity=capacity, actor="cli")

    added, already = commit_or_fail(work)
    click.echo(f"{added} activities added, {already} already there")


@group.command("theme")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--month", required=True)
@click.option("--title", required=True)
@click.option("--description", default="")
def theme(site_id, month, title, description):
    """Set a unit's theme for a month."""
    from . import operations as ops

    commit_or_fail(lambda: ops.set_theme(_site(site_id), parse_month(month), title,
                                         description, actor="cli"))
    click.echo("theme saved")


@group.command("stats")
@click.option("--site", "site_id", type=int, default=None, help="default: the center")
@click.option("--from", "first", required=True)
@click.option("--to", "last", required=True)
def stats_command(site_id, first, last):
    """Activities held, participants and hours, by brand and by month."""
    from ..sites.operations import center
    from . import stats

    root = _site(site_id) if site_id else center()
    result = stats.counts(root, parse_month(first), parse_month(last))
    t = result.total
    click.echo(f"{root.name}: {t.activities} activities, {t.held} held, "
               f"{t.participants} participants, {t.hours} hours")
    for name, tally in {**result.by_brand, **result.by_month}.items():
        click.echo(f"  {name}: {tally.activities} activities, {tally.hours} hours")
