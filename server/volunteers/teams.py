"""Team rules: the general team (总队), branch teams, members and the leader (队长)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..core import audit
from ..core.actors import Actor
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.i18n import _l
from ..core.schema import parse_id
from ..extensions import db
from ..sites.models import Site
from .models import Team, TeamMember, Volunteer

TEAM_NAME_MAX, DESCRIPTION_MAX = 64, 200


def general_team() -> Team | None:
    return db.session.scalar(select(Team).where(Team.is_general.is_(True)))


def get_team(team_id) -> Team:
    """The team `team_id` (an int, or digits from a URL or form) names, or NotFound; an id no
    row can have (text, zero, past the column's range) is not a question for the database."""
    number = parse_id(team_id.strip() if isinstance(team_id, str) else team_id)
    team = db.session.get(Team, number) if number is not None else None
    if team is None:
        raise NotFound(_l("No such team."), "team_not_found")
    return team


def _clean(value, field: str, limit: int, required: bool) -> str:
    text = " ".join((value if isinstance(value, str) else "").split())
    if required and not text:
        raise ValidationError(_l("Team name is required."), "required", field=field)
    if len(text) > limit:
        raise ValidationError(_l("Too long (at most %(n)d characters).", n=limit), "too_long",
                              field=field)
    return text


def _check_site(site: Site, actor) -> None:
    if not site.is_active:
        raise ValidationError(_l("The site is deactivated."), "site_inactive", field="site_id")
    if hasattr(actor, "can_manage") and not actor.can_manage(site):  # as if it were missing
        raise ValidationError(_l("Choose the site the team serves."), "site_required",
                              field="site_id")


def create_team(name, site: Site, *, is_general: bool = False, description: str = "",
                actor: Actor = None) -> Team:
    """The general team has no parent; every branch team hangs under it."""
    name = _clean(name, "name", TEAM_NAME_MAX, True)
    _check_site(site, actor)
    parent = general_team()
    if is_general and parent is not None:
        raise Conflict(_l("There is already a general team."), "second_general")
    if not is_general and parent is None:
        raise ValidationError(_l("Create the general team first."), "no_general_team")
    if db.session.scalar(select(Team.id).where(Team.name == name)):
        raise Conflict(_l("A team with this name already exists."), "duplicate_name",
                       field="name")
    team = Team(name=name, site_id=site.id, is_general=is_general,
                parent_id=None if is_general else parent.id,
                description=_clean(description, "description", DESCRIPTION_MAX, False))
    db.session.add(team)
    db.session.flush()
    audit.record("team.create", team, actor=actor, name=name, is_general=is_general)
    return team


def update_team(team: Team, *, name, description="", site: Site | None = None,
                actor: Actor = None) -> Team:
    """Rename, describe or move a team to another unit it serves (one the actor manages).
    The general team stays at the district's center: it serves the whole network."""
    name = _clean(name, "name", TEAM_NAME_MAX, True)
    description = _clean(description, "description", DESCRIPTION_MAX, False)
    team = _locked(team)
    site = site or team.site
    if site.id != team.site_id:
        if team.is_general:
            raise ValidationError(_l("The general team serves the whole network; it cannot "
                                     "move."), "general_fixed", field="site_id")
        _check_site(site, actor)
    if db.session.scalar(select(Team.id).where(Team.name == name, Team.id != team.id)):
        raise Conflict(_l("A team with this name already exists."), "duplicate_name",
                       field="name")
    changed = {key: [getattr(team, key), value] for key, value in
               (("name", name), ("description", description), ("site_id", site.id))
               if getattr(team, key) != value}
    team.name, team.description, team.site_id = name, description, site.id
    db.session.flush()
    if changed:
        audit.record("team.update", team, actor=actor, **changed)
    return team


def set_active(team: Team, active: bool, *, actor: Actor = None) -> Team:
    """A deactivated team is named nowhere any more: not offered for dispatch, menu items or
    activities, and orders routed to it by rule go to the next team up. Members stay, so
    reactivating it brings it back as it was. The general team is never deactivated."""
    team = _locked(team)
    if not active and team.is_general:
        raise ValidationError(_l("The general team cannot be deactivated."), "general_fixed")
    if team.is_active != bool(active):
        team.is_active = bool(active)
        db.session.flush()
        audit.record("team.activate" if active else "team.deactivate", team, actor=actor,
                     name=team.name)
    return team


def _locked(team: Team) -> Team:
    return db.session.scalar(select(Team).where(Team.id == team.id).with_for_update()
                             .execution_options(populate_existing=True))


def membership(team: Team, volunteer: Volunteer) -> TeamMember | None:
    return db.session.get(TeamMember, (team.id, volunteer.id))


def add_member(team: Team, volunteer: Volunteer, *, actor: Actor = None) -> TeamMember:
    """Joining twice is a no-op, so a retried form post changes nothing."""
    if not volunteer.is_active:
        raise ValidationError(_l("A deactivated volunteer cannot join a team."),
                              "volunteer_inactive")
    if not team.is_active:
        raise ValidationError(_l("This team is not active."), "team_inactive")
    existing = membership(team, volunteer)
    if existing is not None:
        return existing
    member = TeamMember(team_id=team.id, volunteer_id=volunteer.id)
    db.session.add(member)
    db.session.flush()
    audit.record("team.join", team, actor=actor, number=volunteer.number)
    return member


def remove_member(team: Team, volunteer: Volunteer, *, actor: Actor = None) -> None:
    if team.is_general:
        raise ValidationError(_l("Every volunteer belongs to the general team; deactivate the "
                                 "volunteer instead."), "general_membership")
    member = membership(team, volunteer)
    if member is None:
        raise NotFound(_l("This volunteer is not in the team."), "not_a_member")
    db.session.delete(member)
    db.session.flush()
    audit.record("team.leave", team, actor=actor, number=volunteer.number,
                 was_leader=member.is_leader)


def set_leader(team: Team, volunteer: Volunteer, *, actor: Actor = None) -> TeamMember:
    """One leader per team (a unique index says so): the previous one steps down."""
    db.session.scalar(select(Team).where(Team.id == team.id).with_for_update())
    member = membership(team, volunteer)
    if member is None:
        raise ValidationError(_l("Only a member of the team can lead it."), "not_a_member")
    if not volunteer.is_active:
        raise ValidationError(_l("A deactivated volunteer cannot lead a team."),
                              "volunteer_inactive")
    if member.is_leader:
        return member
    previous = leader(team)
    if previous is not None:
        previous.is_leader = False
        db.session.flush()  # step down before the new leader steps up: the index is checked now
    member.is_leader = True
    db.session.flush()
    audit.record("team.leader", team, actor=actor, number=volunteer.number,
                 previous=previous.volunteer.number if previous else None)
    return member


def unset_leader(team: Team, *, actor: Actor = None) -> None:
    current = leader(team)
    if current is not None:
        current.is_leader = False
        db.session.flush()
        audit.record("team.leader_removed", team, actor=actor, number=current.volunteer.number)


def leader(team: Team) -> TeamMember | None:
    return db.session.scalar(select(TeamMember).where(TeamMember.team_id == team.id,
                                                      TeamMember.is_leader.is_(True)))


def usable_by(site: Site) -> list[Team]:
    """The active teams a unit may name (dispatch an order to, let organise an activity or a
    project): those of its own subtree and those of the units above it — a district or town
    team serves every place below it. The general team first, then by name."""
    return list(db.session.scalars(
        select(Team).join(Site, Site.id == Team.site_id)
        .where(Team.is_active.is_(True),
               Site.path.startswith(site.path, autoescape=True)
               | Team.site_id.in_(site.ancestor_ids))
        .order_by(Team.is_general.desc(), Team.name)))


def require_usable(team_id, site: Site) -> Team:
    """A team `site` may name; any other (another town's, inactive, missing) is refused the
    same way, as not found."""
    try:
        number = int(team_id)
    except (TypeError, ValueError):
        number = None
    if number is not None and any(t.id == number for t in usable_by(site)):
        return db.session.get(Team, number)
    raise NotFound(_l("No such team."), "team_not_found", field="team_id")


def all_teams() -> list[Team]:
    """The general team first, then branch teams by name."""
    return list(db.session.scalars(select(Team).order_by(Team.is_general.desc(), Team.id)))


def member_counts(root: Site) -> dict[int, int]:
    """Members per team, counting only volunteers in `root`'s subtree (what the admin may see)."""
    rows = db.session.execute(
        select(TeamMember.team_id, func.count())
        .join(Volunteer, Volunteer.id == TeamMember.volunteer_id)
        .join(Site, Site.id == Volunteer.home_site_id)
        .where(Site.path.startswith(root.path, autoescape=True), Volunteer.is_active.is_(True))
        .group_by(TeamMember.team_id))
    return dict(rows.all())


def teams_of(volunteer: Volunteer) -> list[TeamMember]:
    return sorted(volunteer.memberships, key=lambda m: (not m.team.is_general, m.team.id))
