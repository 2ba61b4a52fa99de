"""Honor roll rules: units nominate, the district approves or rejects, photos are re-encoded,
and the approved are shown in turn near where they live. They flush; the caller commits."""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.fields import clean_int, clean_text
from ..core.i18n import _l
from ..core.schema import parse_id
from ..core.timeutil import utcnow
from ..extensions import db
from ..sites.models import Site, SiteKind
from . import imaging
from .models import (
    CATEGORIES,
    NAME_MAX,
    REASON_MAX,
    STORY_MAX,
    TITLE_MAX,
    Honoree,
    HonoreePhoto,
)

LABELS = {
    "name": _l("Full name"),
    "title": _l("Honor"),
    "story": _l("Story"),
    "year": _l("Year"),
    "reason": _l("Reason"),
}


def get_honoree(honoree_id) -> Honoree:
    number = parse_id(honoree_id)
    honoree = db.session.get(Honoree, number) if number else None
    if honoree is None:
        raise NotFound(_l("No such person on the honor roll."), "honoree_not_found")
    return honoree


def public_honoree(honoree_id) -> Honoree:
    """An approved honoree, for public pages; anyone else is not found."""
    honoree = get_honoree(honoree_id)
    if not honoree.is_public:
        raise NotFound(_l("No such person on the honor roll."), "honoree_not_found")
    return honoree


def nominate(*, name, category, site: Site, year, story="", title="", consent=False,
             actor: Actor = None) -> Honoree:
    """A unit puts someone forward. The person's consent to being shown is required."""
    if category not in CATEGORIES:
        raise ValidationError(_l("Choose one of the kinds of model."), "invalid_category",
                              field="category")
    if consent is not True:
        raise ValidationError(_l("The person must agree to their name, photo and story being "
                                 "shown in public."), "consent_required", field="consent")
    honoree = Honoree(
        name=clean_text(name, "name", LABELS["name"], NAME_MAX, required=True),
        category=category,
        title=clean_text(title, "title", LABELS["title"], TITLE_MAX),
        story=clean_text(story, "story", LABELS["story"], STORY_MAX, required=True,
                         one_line=False),
        year=clean_int(year, "year", LABELS["year"], low=1949, high=2100),
        site_id=site.id, status="nominated", has_consent=True,
        nominated_by=actors.admin_label(actor))
    db.session.add(honoree)
    db.session.flush()
    audit.record("honoree.nominate", honoree, actor=actor, category=category, site_id=site.id)
    return honoree


def set_photo(honoree: Honoree, data: bytes, *, actor: Actor = None) -> HonoreePhoto:
    """Replace the portrait with the upload, re-encoded (imaging.reencode refuses bad files)."""
    portrait = imaging.reencode(data)
    db.session.execute(delete(HonoreePhoto).where(HonoreePhoto.honoree_id == honoree.id))
    photo = HonoreePhoto(honoree_id=honoree.id, data=portrait.data, mime=portrait.mime,
                         width=portrait.width, height=portrait.height, digest=portrait.digest)
    db.session.add(photo)
    honoree.photo_digest = portrait.digest
    db.session.flush()
    audit.record("honoree.photo", honoree, actor=actor, bytes=len(portrait.data),
                 digest=portrait.digest[:12])
    return photo


def photo_of(honoree: Honoree) -> HonoreePhoto | None:
    return db.session.get(HonoreePhoto, honoree.id)


def _locked(honoree: Honoree) -> Honoree:
    return db.session.scalar(select(Honoree).where(Honoree.id == honoree.id).with_for_update()
                             .execution_options(populate_existing=True))


def decide(honoree: Honoree, approve: bool, reason="", *, actor) -> Honoree:
    """The district approves (published) or rejects a nomination."""
    if not getattr(actor, "is_district_admin", False):
        raise Forbidden(_l("Only the district center approves the honor roll."),
                        "district_only")
    honoree = _locked(honoree)
    if honoree.status != "nominated":
        raise Conflict(_l("This nomination was already decided."), "already_decided")
    reason = clean_text(reason, "reason", LABELS["reason"], REASON_MAX, required=not approve)
    honoree.status = "approved" if approve else "rejected"
    honoree.decision_reason = reason
    honoree.decided_by = actors.admin_label(actor)
    honoree.decided_at = utcnow()
    db.session.flush()
    audit.record("honoree.approve" if approve else "honoree.reject", honoree, actor=actor,
                 reason=reason)
    return honoree


def withdraw(honoree: Honoree, reason, *, actor) -> Honoree:
    """Taken off the roll (the person asked, or the honor was withdrawn); kept for the record."""
    honoree = _locked(honoree)
    if honoree.status not in ("nominated", "approved"):
        raise Conflict(_l("This entry is not on the roll."), "not_on_roll")
    honoree.status = "withdrawn"
    honoree.decision_reason = clean_text(reason, "reason", LABELS["reason"], REASON_MAX,
                                         required=True)
    honoree.decided_by = actors.admin_label(actor)
    honoree.decided_at = utcnow()
    db.session.flush()
    audit.record("honoree.withdraw", honoree, actor=actor, reason=honoree.decision_reason)
    return honoree


def listing(root: Site, *, status: str | None = None, limit: int = 500) -> list[Honoree]:
    query = (select(Honoree).join(Site, Site.id == Honoree.site_id)
             .where(Site.path.startswith(root.path, autoescape=True)))
    if status:
        query = query.where(Honoree.status == status)
    return list(db.session.scalars(query.order_by(Honoree.year.desc(), Honoree.id.desc())
                                   .limit(limit)))


def local_root_path(site) -> str:
    """The part of the network a screen at `site` speaks for: its institute's subtree when it
    lies under one, else the whole district."""
    ids = site.ancestor_ids + [site.id]
    if site.kind == SiteKind.CENTER or len(ids) < 2:
        return f"/{ids[0]}/"
    institute = db.session.get(Site, ids[1])
    if institute is not None and institute.kind == SiteKind.INSTITUTE:
        return institute.path
    return f"/{ids[0]}/"


def shown_at(site, limit: int = 12) -> list[Honoree]:
    """The approved models a kiosk or landing page at `site` shows in turn: those of its own
    town first (newest year first), then the district's own (nominated by the center)."""
    path = local_root_path(site)
    centre_id = (site.ancestor_ids + [site.id])[0]
    rows = db.session.scalars(
        select(Honoree).join(Site, Site.id == Honoree.site_id)
        .where(Honoree.status == "approved",
               or_(Site.path.startswith(path, autoescape=True), Honoree.site_id == centre_id))
        .order_by(Honoree.year.desc(), Honoree.id.desc()).limit(limit * 3)).all()
    local = [h for h in rows if h.site_id != centre_id or path == f"/{centre_id}/"]
    district = [h for h in rows if h not in local]
    return (local + district)[:limit]
