"""Volunteer rules: create, edit, deactivate, number, personal code. They flush; callers commit."""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..codes import operations as codes
from ..codes.models import ServiceCode
from ..core import audit
from ..core.actors import Actor
from ..core.errors import NotFound, ValidationError
from ..core.fields import clean_reason
from ..core.i18n import _l
from ..core.timeutil import LOCAL_TZ, utcnow
from ..extensions import db
from ..sites.models import Site
from .models import NAME_MAX, Team, TeamMember, Volunteer, VolunteerNumberCounter

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
NUMBER_PREFIX = "ZH"
SKILL_MAX, SKILLS_MAX = 16, 10
EDITABLE = ("name", "phone", "home_site", "skills")


# ---- validation ------------------------------------------------------------------------------


def clean_name(value) -> str:
    if not isinstance(value, str):
        raise ValidationError(_l("Name must be text."), "invalid_type", field="name")
    name = " ".join(value.split())
    if not name:
        raise ValidationError(_l("Name is required."), "required", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(_l("Name is too long (at most %(n)d characters).", n=NAME_MAX),
                              "too_long", field="name")
    if any(not ch.isprintable() for ch in name):
        raise ValidationError(_l("Name contains characters that cannot be printed."),
                              "invalid_name", field="name")
    return name


def clean_phone(value) -> str:
    """A mainland mobile number; spaces, dashes and a +86 prefix as people type them are fine."""
    if not isinstance(value, str):
        raise ValidationError(_l("Phone must be text."), "invalid_type", field="phone")
    phone = re.sub(r"[\s-]", "", value)
    phone = phone.removeprefix("+86").removeprefix("0086")
    if not PHONE_RE.match(phone):
        raise ValidationError(_l("Enter an 11-digit mainland mobile number, e.g. 13812345678."),
                              "invalid_phone", field="phone")
    return phone


def clean_skills(value) -> list[str]:
    """Short tags, from a list or from text separated by commas, 、 or spaces."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,，、;；\s]+", value)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_l("Skills must be a list of short words."), "invalid_type",
                              field="skills")
    skills: list[str] = []
    for tag in (v.strip() for v in value):
        if tag and tag not in skills:
            if len(tag) > SKILL_MAX:
                raise ValidationError(_l("A skill is at most %(n)d characters.", n=SKILL_MAX),
                                      "too_long", field="skills")
            skills.append(tag)
    if len(skills) > SKILLS_MAX:
        raise ValidationError(_l("At most %(n)d skills.", n=SKILLS_MAX), "too_many",
                              field="skills")
    return skills


def _check_scope(actor, site: Site) -> None:
    # Admin accounts are scoped; the CLI and the demo loader pass a label instead.
    # A site outside the admin's subtree is refused as a missing one is: ids cannot be probed.
    if hasattr(actor, "can_manage") and not actor.can_manage(site):
        raise ValidationError(_l("Choose the volunteer's home site."), "site_required",
                              field="home_site_id")


def home_site(site_or_id, actor: Actor = None) -> Site:
    site = site_or_id
    if not isinstance(site, Site):
        try:
            site = db.session.get(Site, int(site_or_id))
        except (TypeError, ValueError):
            site = None
    if site is None:
        raise ValidationError(_l("Choose the volunteer's home site."), "site_required",
                              field="home_site_id")
    if not site.is_active:
        raise ValidationError(_l("The home site is deactivated."), "site_inactive",
                              field="home_site_id")
    _check_scope(actor, site)
    return site


# ---- numbers ---------------------------------------------------------------------------------


def next_number(year: int | None = None) -> str:
    """ZH + year + 6-digit sequence, from a locked per-year counter that only goes up."""
    year = year or utcnow().astimezone(LOCAL_TZ).year
    query = (select(VolunteerNumberCounter).where(VolunteerNumberCounter.year == year)
             .with_for_update())
    counter = db.session.scalar(query)
    if counter is None:
        try:
            with db.session.begin_nested():  # two first-of-the-year creations may race here
                db.session.add(VolunteerNumberCounter(year=year, last_value=0))
        except IntegrityError:
            pass
        counter = db.session.scalar(query.execution_options(populate_existing=True))
    counter.last_value += 1
    db.session.flush()
    return f"{NUMBER_PREFIX}{year:04d}{counter.last_value:06d}"


# ---- volunteers ------------------------------------------------------------------------------


def get_by_number(number: str) -> Volunteer | None:
    number = (number or "").strip().upper()
    return db.session.scalar(select(Volunteer).where(Volunteer.number == number)) if number \
        else None


def require_by_number(number: str) -> Volunteer:
    volunteer = get_by_number(number)
    if volunteer is None:
        raise NotFound(_l("No volunteer with this number."), "volunteer_not_found")
    return volunteer


def _locked(volunteer: Volunteer) -> Volunteer:
    return db.session.scalar(select(Volunteer).where(Volunteer.id == volunteer.id)
                             .with_for_update().execution_options(populate_existing=True))


def others_with_phone(volunteer: Volunteer) -> int:
    """How many other volunteers have this volunteer's phone number (a family phone is
    allowed, but it is often a typo: the dashboard warns)."""
    return db.session.scalar(select(func.count()).select_from(Volunteer).where(
        Volunteer.phone == volunteer.phone, Volunteer.id != volunteer.id)) or 0


def create_volunteer(*, name, phone, home_site_id=None, site: Site | None = None, skills=None,
                     actor: Actor = None, year: int | None = None) -> Volunteer:
    volunteer = Volunteer(name=clean_name(name), phone=clean_phone(phone),
                          skills=clean_skills(skills))
    volunteer.home_site_id = home_site(site if site is not None else home_site_id, actor).id
    volunteer.number = next_number(year)
    db.session.add(volunteer)
    db.session.flush()
    general = db.session.scalar(select(Team).where(Team.is_general.is_(True)))
    if general is not None:  # everyone belongs to the general team (总队)
        db.session.add(TeamMember(team_id=general.id, volunteer_id=volunteer.id))
    codes.issue("volunteer", volunteer.number, actor=actor)
    db.session.flush()
    audit.record("volunteer.create", volunteer, actor=actor, number=volunteer.number,
                 site_id=volunteer.home_site_id)
    return volunteer


def update_volunteer(volunteer: Volunteer, *, actor: Actor = None, **changes) -> Volunteer:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_l("These fields cannot be changed here: %(f)s",
                                 f=", ".join(sorted(unknown))), "not_editable")
    cleaned = {}
    if "name" in changes:
        cleaned["name"] = clean_name(changes["name"])
    if "phone" in changes:
        cleaned["phone"] = clean_phone(changes["phone"])
    if "skills" in changes:
        cleaned["skills"] = clean_skills(changes["skills"])
    if "home_site" in changes:
        cleaned["home_site_id"] = home_site(changes["home_site"], actor).id
    volunteer = _locked(volunteer)
    changed = {}
    for field, value in cleaned.items():
        if getattr(volunteer, field) != value:
            # The audit keeps which fields changed, not the personal data itself.
            changed[field] = value if field == "home_site_id" else True
            setattr(volunteer, field, value)
    db.session.flush()
    if changed:
        audit.record("volunteer.update", volunteer, actor=actor, changed=changed)
    return volunteer


def set_active(volunteer: Volunteer, active: bool, *, actor: Actor = None) -> Volunteer:
    """Deactivating logs the volunteer out everywhere and withdraws the card's code."""
    volunteer = _locked(volunteer)
    if volunteer.is_active == active:
        return volunteer
    volunteer.is_active = active
    volunteer.session_epoch += 1
    live = codes.live_code("volunteer", volunteer.number, lock=True)
    if not active and live is not None:
        codes.revoke(live, "volunteer deactivated", actor=actor)
    elif active and live is None:
        codes.issue("volunteer", volunteer.number, actor=actor)
    db.session.flush()
    audit.record("volunteer.activate" if active else "volunteer.deactivate", volunteer,
                 actor=actor)
    return volunteer


# ---- the personal code -----------------------------------------------------------------------


def volunteer_code(volunteer: Volunteer) -> ServiceCode | None:
    return codes.live_code("volunteer", volunteer.number)


def reissue_code(volunteer: Volunteer, reason: str, *, actor: Actor = None) -> ServiceCode:
    """A lost card: the old code is withdrawn (kiosks refuse it) and the next version issued."""
    reason = clean_reason(reason, _l("Say why the code is replaced."))
    volunteer = _locked(volunteer)
    if not volunteer.is_active:
        raise ValidationError(_l("A deactivated volunteer gets no code."), "volunteer_inactive")
    live = codes.live_code("volunteer", volunteer.number, lock=True)
    if live is not None:
        codes.revoke(live, reason, actor=actor)
    return codes.issue("volunteer", volunteer.number, actor=actor)


def code_history(volunteer: Volunteer) -> list[ServiceCode]:
    return list(db.session.scalars(
        select(ServiceCode).where(ServiceCode.type == "volunteer",
                                  ServiceCode.subject == volunteer.number)
        .order_by(ServiceCode.version.desc())))


# ---- finding volunteers in an admin's subtree -----------------------------------------------


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def scoped_query(root: Site, text: str = "", *, team_id: int | None = None,
                 site: Site | None = None, include_inactive: bool = False):
    """Volunteers whose home site lies under `root` (and under `site` when given)."""
    under = site if site is not None and root.contains(site) else root
    query = (select(Volunteer).join(Site, Site.id == Volunteer.home_site_id)
             .where(Site.path.startswith(under.path, autoescape=True)))
    text = " ".join((text or "").split())
    if text:
        query = query.where(or_(Volunteer.name.like(_like(text), escape="\\"),
                                Volunteer.number.like(_like(text.upper()), escape="\\"),
                                Volunteer.phone.like(_like(text), escape="\\")))
    if team_id:
        query = query.where(Volunteer.id.in_(
            select(TeamMember.volunteer_id).where(TeamMember.team_id == team_id)))
    if not include_inactive:
        query = query.where(Volunteer.is_active.is_(True))
    return query


def search(root: Site, text: str = "", *, page: int = 1, per_page: int = 50,
           **filters) -> tuple[list[Volunteer], int]:
    query = scoped_query(root, text, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(page, 1)
    rows = db.session.scalars(query.order_by(Volunteer.number)
                              .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total or 0
