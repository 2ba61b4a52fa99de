"""Helpers for flask commands: one transaction per command, domain errors as one-line messages."""

from __future__ import annotations

import click

from ..extensions import db
from .db import writing
from .errors import DomainError


def commit_or_fail(work):
    """Run `work()` in one write transaction; a domain error becomes a message and exit 1."""
    try:
        with writing():
            result = work()
            db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} [{error.code}]") from None
