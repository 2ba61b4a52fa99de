"""Flask commands grouped by noun (users, sites, demo); thin over the operations."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .core.errors import DomainError
from .extensions import db

users_cli = AppGroup("users", help="Dashboard accounts.")
sites_cli = AppGroup("sites", help="The site tree.")
demo_cli = AppGroup("demo", help="Demo data of 昭化区.")


def _commit_or_fail(work):
    """Run `work` in one transaction; a domain error becomes a one-line message and exit 1."""
    from .core.db import writing

    try:
        with writing():
            result = work()
            db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} [{error.code}]") from None


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["district_admin", "institute_admin", "station_admin"]),
              required=True)
@click.option("--site", "site_id", type=int, help="the site this admin manages (default: center)")
@click.option("--name", "display_name", default="", help="display name")
@click.password_option(help="at least 10 characters; prompted when omitted")
def create_user(username, role, site_id, display_name, password):
    """Create a dashboard account."""
    from sqlalchemy import select

    from .sites.models import Site, SiteKind
    from .sites.operations import get_site
    from .users.operations import create_user as create

    def work():
        if site_id is None:
            site = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
            if site is None:
                raise click.ClickException("no district center yet: run `flask demo load` or "
                                           "create the center first")
        else:
            site = get_site(site_id)
        return create(username, password, role, site, display_name=display_name, actor="cli")

    user = _commit_or_fail(work)
    click.echo(f"created {user.username} ({user.role}) for site {user.site_id}")


@users_cli.command("list")
def list_users():
    """List dashboard accounts."""
    from .users.models import AdminUser

    for user in db.session.scalars(db.select(AdminUser).order_by(AdminUser.id)):
        state = "" if user.is_active else " (inactive)"
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t{user.site.name}{state}")


@sites_cli.command("tree")
@click.option("--depth", type=int, default=1, help="levels below the center to show")
def tree(depth):
    """Print the site tree."""
    from .sites.models import Site

    def walk(site, level):
        click.echo("  " * level + f"{site.name} [{site.kind} {site.id}]")
        if level < depth:
            for child in site.children:
                walk(child, level + 1)

    for root in db.session.scalars(db.select(Site).where(Site.parent_id.is_(None))):
        walk(root, 0)


@demo_cli.command("load")
def load_demo():
    """Load the demo district (safe to repeat)."""
    from .demo.operations import load_district

    added = _commit_or_fail(load_district)
    click.echo(f"demo district ready: {added['sites']} sites and {added['users']} admins added")


def register(app: Flask) -> None:
    for group in (users_cli, sites_cli, demo_cli):
        app.cli.add_command(group)
