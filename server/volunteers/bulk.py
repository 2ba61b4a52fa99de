"""Bulk work on volunteers chosen in the list: deactivate them, print their cards, add them to
a team or take them out of one. Each volunteer goes through the one rule for one
(`operations.set_active`, `cards.card_for`, `teams.add_member`, `teams.remove_member`); what
is left out is said with a reason, never dropped silently."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import ValidationError
from ..core.i18n import _l
from ..extensions import db
from ..sites.models import Site
from . import operations as ops
from . import teams
from .models import NUMBER_MAX, Team, Volunteer

BULK_MAX = 500  # numbers in one request; the page sends its selection in chunks below this
SKIP_REASONS = {
    "not_found": _l("No volunteer with this number among those you manage."),
    "already_inactive": _l("Already deactivated."),
    "inactive": _l("Deactivated: the card's code is withdrawn."),
    "no_code": _l("Has no valid code to print."),
    "already_member": _l("Already in the team."),
    "not_member": _l("Not in the team."),
    "cannot_join": _l("Deactivated: cannot join a team."),
    "leader": _l("Leads the team: remove the leader on the team's page, where it is asked "
                 "first."),
}


@dataclass(frozen=True)
class Skipped:
    number: str
    reason: str  # a key of SKIP_REASONS

    @property
    def text(self) -> str:
        return str(SKIP_REASONS[self.reason])


@dataclass
class BulkResult:
    done: list[Volunteer] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def clean_numbers(values) -> list[str]:
    """The numbers asked for, as typed on the cards (spaces and case ignored), each once, in
    order; at most BULK_MAX."""
    numbers = list(dict.fromkeys(
        _shown("".join(str(v).split()).upper()) for v in values if str(v).strip()))
    if not numbers:
        raise ValidationError(_l("Select at least one volunteer."), "nothing_selected",
                              field="number")
    if len(numbers) > BULK_MAX:
        raise ValidationError(_l("At most %(n)d volunteers at a time.", n=BULK_MAX),
                              "too_many", field="number")
    return numbers


def _shown(number: str) -> str:
    """A number longer than any card's is no volunteer's: kept short enough to be named."""
    return number if len(number) <= NUMBER_MAX else number[:NUMBER_MAX] + "…"


def chosen(root: Site, numbers: list[str]) -> BulkResult:
    """The volunteers of `root`'s subtree with these numbers (deactivated ones too), in the
    order asked; any other number is skipped as not found (another town's reads the same)."""
    wanted = [n for n in numbers if len(n) <= NUMBER_MAX]
    found = {v.number: v for v in db.session.scalars(
        ops.scoped_query(root, include_inactive=True).where(Volunteer.number.in_(wanted)))
    } if wanted else {}
    result = BulkResult()
    for number in numbers:
        if number in found:
            result.done.append(found[number])
        else:
            result.skipped.append(Skipped(number, "not_found"))
    return result


def deactivate(root: Site, numbers: list[str], *, actor) -> BulkResult:
    """Deactivate each chosen volunteer (logged out everywhere, the card's code withdrawn,
    audited one by one); those already off are skipped."""
    picked = chosen(root, numbers)
    result = BulkResult(skipped=list(picked.skipped))
    for volunteer in picked.done:
        if not volunteer.is_active:
            result.skipped.append(Skipped(volunteer.number, "already_inactive"))
            continue
        result.done.append(ops.set_active(volunteer, False, actor=actor))
    return result


def printable(root: Site, numbers: list[str]) -> BulkResult:
    """The chosen volunteers whose card can be printed: active, with a valid code."""
    picked = chosen(root, numbers)
    result = BulkResult(skipped=list(picked.skipped))
    for volunteer in picked.done:
        if not volunteer.is_active:
            result.skipped.append(Skipped(volunteer.number, "inactive"))
        elif ops.volunteer_code(volunteer) is None:
            result.skipped.append(Skipped(volunteer.number, "no_code"))
        else:
            result.done.append(volunteer)
    return result


def join_team(root: Site, numbers: list[str], team: Team, *, actor) -> BulkResult:
    """Add each chosen volunteer to `team` (audited one by one); members already, and the
    deactivated, are skipped."""
    picked = chosen(root, numbers)
    result = BulkResult(skipped=list(picked.skipped))
    for volunteer in picked.done:
        if not volunteer.is_active:
            result.skipped.append(Skipped(volunteer.number, "cannot_join"))
        elif teams.membership(team, volunteer) is not None:
            result.skipped.append(Skipped(volunteer.number, "already_member"))
        else:
            teams.add_member(team, volunteer, actor=actor)
            result.done.append(volunteer)
    return result


def leave_team(root: Site, numbers: list[str], team: Team, *, actor) -> BulkResult:
    """Take each chosen volunteer out of `team`; those not in it are skipped, and so is its
    leader (removing a leader is asked first, on the team's page, one at a time). The general
    team holds everyone: the caller refuses it before this (teams.remove_member says why)."""
    picked = chosen(root, numbers)
    result = BulkResult(skipped=list(picked.skipped))
    for volunteer in picked.done:
        member = teams.membership(team, volunteer)
        if member is None:
            result.skipped.append(Skipped(volunteer.number, "not_member"))
        elif member.is_leader:
            result.skipped.append(Skipped(volunteer.number, "leader"))
        else:
            teams.remove_member(team, volunteer, actor=actor)
            result.done.append(volunteer)
    return result
