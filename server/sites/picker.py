"""The edge of a form's site picker: the id it sent, read as a site the admin manages and of
a kind the form takes, else the form's own error on its field."""

from __future__ import annotations

from collections.abc import Collection

from ..core.auth import require_site
from ..core.errors import NotFound, ValidationError
from ..core.i18n import _l
from ..core.schema import parse_id
from .models import Site, SiteKind

__all__ = ["UNIT_KINDS", "picked_site"]

# The units: what can hold a room, a monthly theme, a featured project or a nomination
# (a service point is a place inside a unit, never a unit of its own).
UNIT_KINDS = (SiteKind.CENTER.value, SiteKind.INSTITUTE.value, SiteKind.STATION.value)


def picked_site(value, *, kinds: Collection[str] | None = None, field: str = "site_id",
                include_inactive: bool = True) -> Site:
    """The site a picker sent. Nothing (or no number) is "choose the site" (400); a site
    missing (any number no site has) or outside the admin's subtree is "no such site" (404,
    the same for both, so ids cannot be probed); one of another kind than `kinds` is refused
    (400), after the scope check, so the kind of a site elsewhere is never told."""
    value = value.strip() if isinstance(value, str) else value
    number = parse_id(value)
    if number is None and not (isinstance(value, str) and value.isdigit()):
        raise ValidationError(_l("Choose the site."), "site_required", field=field)
    # Digits no site can have (too many of them) are a site that does not exist.
    site = require_site(number or 0, include_inactive=include_inactive,
                        missing=NotFound(_l("No such site."), "site_not_found", field=field))
    if kinds and site.kind not in kinds:
        raise ValidationError(
            _l("Choose a unit: the center, an institute or a station, not a service point.")
            if set(kinds) == set(UNIT_KINDS) else _l("This form does not take that kind of site."),
            "wrong_site_kind", field=field)
    return site
