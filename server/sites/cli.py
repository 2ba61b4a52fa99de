"""`flask sites`: the site tree."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db

group = AppGroup("sites", help="The site tree.")
groups = (group,)


@group.command("tree")
@click.option("--depth", type=int, default=1, help="levels below the center to show")
def tree(depth):
    """Print the site tree."""
    from .models import Site

    def walk(site, level):
        click.echo("  " * level + f"{site.name} [{site.kind} {site.id}]")
        if level < depth:
            for child in site.children:
                walk(child, level + 1)

    for root in db.session.scalars(db.select(Site).where(Site.parent_id.is_(None))):
        walk(root, 0)
