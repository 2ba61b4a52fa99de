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
codes_cli = AppGroup("codes", help="Service codes: issue, print, rotate, revoke.")
keys_cli = AppGroup("keys", help="The Ed25519 keys that sign service codes.")


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
    click.echo(f"demo district ready: {added['sites']} sites, {added['codes']} codes and "
               f"{added['users']} admins added")


def _site(site_id):
    from .sites.operations import get_site

    return get_site(site_id)


@codes_cli.command("issue-all")
def issue_all():
    """Give every active site that has none a point code."""
    from .codes.operations import ensure_point_code, point_code
    from .sites.models import Site

    def work():
        sites = db.session.scalars(db.select(Site).where(Site.is_active.is_(True))).all()
        missing = [s for s in sites if point_code(s) is None]
        for site in missing:
            ensure_point_code(site, actor="cli")
        return len(missing)

    click.echo(f"issued {_commit_or_fail(work)} codes")


@codes_cli.command("print")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--subtree", is_flag=True, help="every active site below it too")
@click.option("--size", type=click.Choice(["A4", "A6"]), default="A4")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
def print_posters(site_id, subtree, size, out):
    """Write the posters of a site (and its subtree) to one PDF; missing codes are issued."""
    from .codes.operations import ensure_point_code
    from .codes.printing import posters_pdf
    from .sites.models import Site
    from .sites.operations import subtree_query

    def work():
        root = _site(site_id)
        sites = [root]
        if subtree:
            sites = db.session.scalars(subtree_query(root).order_by(Site.id)).all()
        return [ensure_point_code(s, actor="cli") for s in sites if s.is_active]

    codes = _commit_or_fail(work)
    if not codes:
        raise click.ClickException("no active site to print")
    with open(out, "wb") as handle:
        handle.write(posters_pdf(codes, size))
    click.echo(f"wrote {len(codes)} posters ({size}) to {out}")


@codes_cli.command("rotate")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--reason", default="rotated")
def rotate_code(site_id, reason):
    """Withdraw a site's code and issue the next version."""
    from .codes.operations import rotate_point_code

    code = _commit_or_fail(lambda: rotate_point_code(_site(site_id), reason, actor="cli"))
    click.echo(f"site {site_id}: now version {code.version} ({code.short_code})")


@codes_cli.command("revoke")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--reason", required=True)
def revoke_code(site_id, reason):
    """Withdraw a site's code without a replacement."""
    from .codes.operations import revoke_point_code

    code = _commit_or_fail(lambda: revoke_point_code(_site(site_id), reason, actor="cli"))
    click.echo(f"revoked {code.code_id}")


@keys_cli.command("list")
def list_keys():
    """List signing keys."""
    from .codes.keys import all_keys

    for record in all_keys():
        state = "current" if record.is_current else ("retired" if record.retired_at else "valid")
        click.echo(f"{record.kid}\t{state}\t{record.created_at:%Y-%m-%d}")


@keys_cli.command("rotate")
def rotate_key():
    """Start signing with a new key; old codes keep verifying."""
    from .codes.keys import rotate

    click.echo(f"now signing with {_commit_or_fail(lambda: rotate(actor='cli')).kid}")


@keys_cli.command("retire")
@click.argument("kid")
def retire_key(kid):
    """Stop accepting codes signed with KID (reissue them first)."""
    from .codes.keys import retire

    click.echo(f"retired {_commit_or_fail(lambda: retire(kid, actor='cli')).kid}")


@keys_cli.command("export")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
def export_keys(out):
    """Write the public keyring JSON (what /api/v1/keys serves) for `python -m qr verify`."""
    from .codes.keys import keyring

    with open(out, "w") as handle:
        handle.write(keyring().to_json())
    click.echo(f"wrote {out}")


def register(app: Flask) -> None:
    for group in (users_cli, sites_cli, demo_cli, codes_cli, keys_cli):
        app.cli.add_command(group)
