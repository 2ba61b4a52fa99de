"""Featured projects and the 一月一助 board: create projects, claim one for a month, report what
was delivered, drop a claim. They flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.fields import clean_int, clean_text, this_month
from ..core.i18n import _l
from ..core.schema import parse_id
from ..core.timeutil import utcnow
from ..extensions import db
from ..orders.models import BRANDS, CONTENT_AREAS
from ..sites.models import Site
from ..volunteers.models import Team
from .models import (
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    PLAN_MAX,
    FeaturedProject,
    ProjectClaim,
)

LABELS = {
    "name": _l("Project name"),
    "description": _l("Description"),
    "plan": _l("What you plan"),
    "sessions_planned": _l("Sessions planned"),
    "sessions_delivered": _l("Sessions delivered"),
    "delivered_note": _l("What was delivered"),
    "reason": _l("Reason"),
}


def _choice(value, allowed: tuple[str, ...], field: str, message) -> str:
    if value not in allowed:
        raise ValidationError(message, f"invalid_{field}", field=field)
    return value


def check_brand_and_area(brand, content_area) -> tuple[str, str]:
    """The seed's five project brands and five content areas (as the service menu has)."""
    return (_choice(brand, BRANDS, "brand", _l("Choose one of the five project brands.")),
            _choice(content_area, CONTENT_AREAS, "content_area",
                    _l("Choose one of the five content areas.")))


def get_project(project_id) -> FeaturedProject:
    number = parse_id(project_id)
    project = db.session.get(FeaturedProject, number) if number else None
    if project is None:
        raise NotFound(_l("No such project."), "project_not_found")
    return project


def get_claim(claim_id) -> ProjectClaim:
    number = parse_id(claim_id)
    claim = db.session.get(ProjectClaim, number) if number else None
    if claim is None:
        raise NotFound(_l("No such claim."), "claim_not_found")
    return claim


def create_project(*, name, site: Site, brand, content_area, team: Team | None = None,
                   description="", actor: Actor = None) -> FeaturedProject:
    brand, content_area = check_brand_and_area(brand, content_area)
    name = clean_text(name, "name", LABELS["name"], NAME_MAX, required=True)
    if db.session.scalar(select(FeaturedProject.id).where(FeaturedProject.name == name)):
        raise Conflict(_l("A project named “%(name)s” already exists.", name=name),
                       "duplicate_name", field="name")
    project = FeaturedProject(
        name=name, site_id=site.id, team_id=team.id if team else None, brand=brand,
        content_area=content_area,
        description=clean_text(description, "description", LABELS["description"],
                               DESCRIPTION_MAX, one_line=False))
    db.session.add(project)
    db.session.flush()
    audit.record("project.create", project, actor=actor, name=project.name, site_id=site.id)
    return project


def set_active(project: FeaturedProject, active: bool, *, actor: Actor = None) -> FeaturedProject:
    project.is_active = active
    db.session.flush()
    audit.record("project.activate" if active else "project.deactivate", project, actor=actor)
    return project


def projects(*, active_only: bool = True, root: Site | None = None) -> list[FeaturedProject]:
    query = select(FeaturedProject).order_by(FeaturedProject.brand, FeaturedProject.name)
    if active_only:
        query = query.where(FeaturedProject.is_active.is_(True))
    if root is not None:
        query = query.join(Site, Site.id == FeaturedProject.site_id).where(
            Site.path.startswith(root.path, autoescape=True))
    return list(db.session.scalars(query))


def claim(project: FeaturedProject, month: date, *, site: Site | None = None,
          team: Team | None = None, plan="", sessions_planned=1, actor: Actor = None,
          now: datetime | None = None) -> ProjectClaim:
    """A unit or a team takes the project on for the month (this month or a later one)."""
    if (site is None) == (team is None):
        raise ValidationError(_l("Choose the unit or the volunteer group that claims it."),
                              "claimant_required", field="claimant")
    if not project.is_active:
        raise Conflict(_l("This project is no longer offered."), "project_inactive")
    if month < this_month(now or utcnow()):
        raise ValidationError(_l("A month that is over cannot be claimed."), "month_past",
                              field="month")
    row = ProjectClaim(
        project_id=project.id, month=month, claimant_site_id=site.id if site else None,
        claimant_team_id=team.id if team else None,
        plan=clean_text(plan, "plan", LABELS["plan"], PLAN_MAX, required=True, one_line=False),
        sessions_planned=clean_int(sessions_planned, "sessions_planned",
                                   LABELS["sessions_planned"], low=1, high=100),
        status="claimed", created_by=actors.admin_label(actor))
    taken = Conflict(_l("%(who)s has already claimed this project for that month.",
                            who=(site or team).name), "already_claimed")
    if db.session.scalar(select(ProjectClaim.id).where(
            ProjectClaim.project_id == project.id, ProjectClaim.month == month,
            ProjectClaim.claimant_site_id == row.claimant_site_id if site
            else ProjectClaim.claimant_team_id == row.claimant_team_id)):
        raise taken
    try:
        with db.session.begin_nested():  # two admins at once: the unique index decides
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise taken from None
    audit.record("project.claim", row, actor=actor, project_id=project.id,
                 month=month.isoformat())
    return row


def report_delivery(claim_row: ProjectClaim, *, sessions_delivered, note="",
                    actor: Actor = None) -> ProjectClaim:
    claim_row = _locked(claim_row)
    if claim_row.status == "dropped":
        raise Conflict(_l("This claim was dropped."), "claim_dropped")
    claim_row.sessions_delivered = clean_int(sessions_delivered, "sessions_delivered",
                                             LABELS["sessions_delivered"], low=0, high=100)
    claim_row.delivered_note = clean_text(note, "delivered_note", LABELS["delivered_note"],
                                          NOTE_MAX, required=True, one_line=False)
    claim_row.status = "delivered"
    claim_row.delivered_at = utcnow()
    db.session.flush()
    audit.record("project.deliver", claim_row, actor=actor,
                 sessions=claim_row.sessions_delivered)
    return claim_row


def drop_claim(claim_row: ProjectClaim, reason, *, actor: Actor = None) -> ProjectClaim:
    claim_row = _locked(claim_row)
    if claim_row.status != "claimed":
        raise Conflict(_l("Only a claim not yet delivered can be dropped."), "not_claimed")
    reason = clean_text(reason, "reason", LABELS["reason"], NOTE_MAX, required=True)
    claim_row.status = "dropped"
    claim_row.delivered_note = reason
    db.session.flush()
    audit.record("project.drop", claim_row, actor=actor, reason=reason)
    return claim_row


def _locked(claim_row: ProjectClaim) -> ProjectClaim:
    return db.session.scalar(select(ProjectClaim).where(ProjectClaim.id == claim_row.id)
                             .with_for_update().execution_options(populate_existing=True))


def _claims_in(root: Site | None):
    """Claims whose claimant lies in `root`'s subtree: a unit there, or a team serving one."""
    query = select(ProjectClaim)
    if root is None:
        return query
    inside = select(Site.id).where(Site.path.startswith(root.path, autoescape=True))
    teams_inside = select(Team.id).where(Team.site_id.in_(inside))
    return query.where(or_(ProjectClaim.claimant_site_id.in_(inside),
                           ProjectClaim.claimant_team_id.in_(teams_inside)))


def claims_for_month(month: date, root: Site | None = None) -> list[ProjectClaim]:
    query = _claims_in(root).where(ProjectClaim.month == month)
    return list(db.session.scalars(query.order_by(ProjectClaim.project_id, ProjectClaim.id)))


@dataclass(frozen=True)
class Completion:
    """一月一助 for a month: claims made, delivered, dropped; the share delivered."""

    month: date
    claims: int
    delivered: int
    dropped: int

    @property
    def open(self) -> int:
        return self.claims - self.delivered - self.dropped

    @property
    def percent(self) -> int | None:
        return round(100 * self.delivered / self.claims) if self.claims else None


def completion(months: list[date], root: Site | None = None) -> list[Completion]:
    """For the dashboard and the reports page: the board's completion, month by month."""
    if not months:
        return []
    subquery = _claims_in(root).where(ProjectClaim.month.in_(months)).subquery()
    rows = db.session.execute(
        select(subquery.c.month, subquery.c.status, func.count())
        .group_by(subquery.c.month, subquery.c.status)).all()
    counts: dict[date, dict[str, int]] = {m: {} for m in months}
    for month, status, count in rows:
        counts.setdefault(month, {})[status] = count
    return [Completion(m, sum(counts[m].values()), counts[m].get("delivered", 0),
                       counts[m].get("dropped", 0)) for m in months]
