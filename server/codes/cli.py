"""`flask codes` and `flask keys`: service codes and their signing keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.cli import commit_or_fail
from ..extensions import db

codes_group = AppGroup("codes", help="Service codes: issue, print, rotate, revoke.")
keys_group = AppGroup("keys", help="The Ed25519 keys that sign service codes.")
groups = (codes_group, keys_group)


def _site(site_id):
    from ..sites.operations import get_site

    return get_site(site_id)


@codes_group.command("issue-all")
def issue_all():
    """Give every active site that never had one a point code (one withdrawn without
    replacement stays without)."""
    from ..sites.models import Site
    from .operations import ensure_point_code, point_code, withdrawn_without_replacement

    def work():
        sites = db.session.scalars(db.select(Site).where(Site.is_active.is_(True))).all()
        missing = [s for s in sites
                   if point_code(s) is None and not withdrawn_without_replacement(s)]
        for site in missing:
            ensure_point_code(site, actor="cli")
        return len(missing)

    click.echo(f"issued {commit_or_fail(work)} codes")


@codes_group.command("print")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--subtree", is_flag=True, help="every active site below it too")
@click.option("--size", type=click.Choice(["A4", "A6"]), default="A4")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
def print_posters(site_id, subtree, size, out):
    """Write the posters of a site (and its subtree) to one PDF; missing codes are issued,
    sites whose code was withdrawn without replacement are skipped and named."""
    from ..sites.models import Site
    from ..sites.operations import subtree_query
    from .operations import codes_to_print
    from .printing import posters_pdf

    def work():
        root = _site(site_id)
        sites = [root]
        if subtree:
            sites = db.session.scalars(subtree_query(root).order_by(Site.id)).all()
        codes, skipped = codes_to_print(sites, actor="cli")
        return codes, [f"{s.id} {s.name}" for s in skipped]

    codes, skipped = commit_or_fail(work)
    for line in skipped:
        click.echo(f"skipped (code withdrawn without replacement): {line}", err=True)
    if not codes:
        raise click.ClickException("no active site to print")
    with open(out, "wb") as handle:
        handle.write(posters_pdf(codes, size))
    click.echo(f"wrote {len(codes)} posters ({size}) to {out}")


@codes_group.command("rotate")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--reason", default="rotated")
def rotate_code(site_id, reason):
    """Withdraw a site's code and issue the next version."""
    from .operations import rotate_point_code

    code = commit_or_fail(lambda: rotate_point_code(_site(site_id), reason, actor="cli"))
    click.echo(f"site {site_id}: now version {code.version} ({code.short_code})")


@codes_group.command("revoke")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--reason", required=True)
def revoke_code(site_id, reason):
    """Withdraw a site's code without a replacement."""
    from .operations import revoke_point_code

    code = commit_or_fail(lambda: revoke_point_code(_site(site_id), reason, actor="cli"))
    click.echo(f"revoked {code.code_id}")


@keys_group.command("list")
def list_keys():
    """List signing keys."""
    from .keys import all_keys

    for record in all_keys():
        state = "current" if record.is_current else ("retired" if record.retired_at else "valid")
        click.echo(f"{record.kid}\t{state}\t{record.created_at:%Y-%m-%d}")


@keys_group.command("rotate")
def rotate_key():
    """Start signing with a new key; old codes keep verifying."""
    from .keys import rotate

    click.echo(f"now signing with {commit_or_fail(lambda: rotate(actor='cli')).kid}")


@keys_group.command("retire")
@click.argument("kid")
def retire_key(kid):
    """Stop accepting codes signed with KID (reissue them first)."""
    from .keys import retire

    click.echo(f"retired {commit_or_fail(lambda: retire(kid, actor='cli')).kid}")


@keys_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
def export_keys(out):
    """Write the public keyring JSON (what /api/v1/keys serves) for `python -m qr verify`."""
    from .keys import keyring

    with open(out, "w") as handle:
        handle.write(keyring().to_json())
    click.echo(f"wrote {out}")
