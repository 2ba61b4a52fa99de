"""`flask users`: dashboard accounts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.cli import commit_or_fail
from ..extensions import db

group = AppGroup("users", help="Dashboard accounts.")
groups = (group,)


@group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["district_admin", "institute_admin", "station_admin"]),
              required=True)
@click.option("--site", "site_id", type=int, help="the site this admin manages (default: center)")
@click.option("--name", "display_name", default="", help="display name")
@click.password_option(help="at least 10 characters; prompted when omitted")
def create_user(username, role, site_id, display_name, password):
    """Create a dashboard account."""
    from sqlalchemy import select

    from ..sites.models import Site, SiteKind
    from ..sites.operations import get_site
    from .operations import create_user as create

    def work():
        if site_id is None:
            site = db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))
            if site is None:
                raise click.ClickException("no district center yet: run `flask demo load` or "
                                           "create the center first")
        else:
            site = get_site(site_id)
        return create(username, password, role, site, display_name=display_name, actor="cli")

    user = commit_or_fail(work)
    click.echo(f"created {user.username} ({user.role}) for site {user.site_id}")


@group.command("list")
def list_users():
    """List dashboard accounts."""
    from .models import AdminUser

    for user in db.session.scalars(db.select(AdminUser).order_by(AdminUser.id)):
        state = "" if user.is_active else " (inactive)"
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t{user.site.name}{state}")


def _set_active(username: str, active: bool) -> None:
    from .operations import get_by_username, set_active

    def work():
        user = get_by_username(username)
        if user is None:
            raise click.ClickException(f"no account named {username}")
        return set_active(user, active, actor="cli")

    user = commit_or_fail(work)
    click.echo(f"{user.username} {'enabled' if active else 'disabled'}")


@group.command("disable")
@click.argument("username")
def disable_user(username):
    """Disable an account: it can no longer log in, and its open sessions end at once."""
    _set_active(username, False)


@group.command("enable")
@click.argument("username")
def enable_user(username):
    """Enable a disabled account again (it logs in afresh; old sessions stay ended)."""
    _set_active(username, True)
