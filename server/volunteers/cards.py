"""Volunteer cards from the server's records: one PNG or PDF, or A4 sheets for a batch."""

from __future__ import annotations

from collections.abc import Iterable

from .. import prints
from ..codes.operations import code_url
from ..core.errors import NotFound
from ..core.i18n import _l
from . import operations as ops
from . import teams
from .models import Volunteer


def card_for(volunteer: Volunteer, general_name: str | None = None) -> prints.Card:
    code = ops.volunteer_code(volunteer)
    if code is None:
        raise NotFound(_l("This volunteer has no valid code."), "no_live_code")
    if general_name is None:
        general = teams.general_team()
        general_name = general.name if general else ""
    return prints.Card(name=volunteer.name, number=volunteer.number, team=general_name,
                         url=code_url(code), version_label=f"码版本 v{code.version}")


def card_png(volunteer: Volunteer) -> bytes:
    return prints.card_png(card_for(volunteer))


def cards_pdf(volunteers: Iterable[Volunteer], per_page: int = 10) -> bytes:
    """Cards of the active volunteers given; ones without a live code are left out."""
    general = teams.general_team()
    name = general.name if general else ""
    cards = [card_for(v, name) for v in volunteers
             if v.is_active and ops.volunteer_code(v) is not None]
    if not cards:
        raise NotFound(_l("No volunteer here has a valid code to print."), "nothing_to_print")
    return prints.cards_pdf(cards, per_page=per_page)
