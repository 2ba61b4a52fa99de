"""Load the demo district: every feature's demo part, in dependency order; safe to repeat."""

from __future__ import annotations

from ..extensions import db
from ..features import demo_loaders


def load_district() -> dict[str, int]:
    """Run each feature's loader; returns what was added, by kind of record."""
    added: dict[str, int] = {}
    for _feature, load in demo_loaders():
        for kind, count in load().items():
            added[kind] = added.get(kind, 0) + count
        db.session.flush()
    return added
