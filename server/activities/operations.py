"""Activity rules: create, edit and cancel activities, the Friday activity day across a
subtree, and the units' monthly themes. They flush; the caller commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from ..core import actors, audit
from ..core.actors import Actor
from ..core.db import DIALECTS, by_dialect
from ..core.errors import NotFound, ValidationError
from ..core.fields import clean_int, clean_text, month_bounds, next_month, parse_moment
from ..core.i18n import _l
from ..core.schema import parse_id
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..extensions import db
from ..honors.models import Honoree
from ..projects.models import FeaturedProject
from ..projects.operations import check_brand_and_area
from ..sites.models import Site, SiteKind
from ..volunteers.models import Team
from .models import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    REASON_MAX,
    THEME_DESCRIPTION_MAX,
    THEME_TITLE_MAX,
    TITLE_MAX,
    Activity,
    MonthlyTheme,
)

LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "capacity": _l("Places"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "reason": _l("Reason"),
    "theme": _l("Theme"),
}
LONGEST = timedelta(hours=24)
FRIDAY = 4  # date.weekday()


def get_activity(activity_id) -> Activity:
    number = parse_id(activity_id)
    activity = db.session.get(Activity, number) if number else None
    if activity is None:
        raise NotFound(_l("No such activity."), "activity_not_found")
    return activity


def _times(starts_at, ends_at) -> tuple[datetime, datetime]:
    start = parse_moment(starts_at, "starts_at", LABELS["starts_at"])
    end = parse_moment(ends_at, "ends_at", LABELS["ends_at"])
    if end <= start:
        raise ValidationError(_l("The end must be after the start."), "ends_before_start",
                              field="ends_at")
    if end - start > LONGEST:
        raise ValidationError(_l("An activity lasts at most a day; make one for each day."),
                              "too_long", field="ends_at")
    return start, end


def _capacity(value) -> int | None:
    return clean_int(value, "capacity", LABELS["capacity"], low=1, high=CAPACITY_MAX,
                     required=False)


def local_month(moment: datetime) -> date:
    return as_utc(moment).astimezone(LOCAL_TZ).date().replace(day=1)


def create_activity(*, title, brand, content_area, site: Site, starts_at, ends_at,
                    capacity=None, team: Team | None = None, description="",
                    project: FeaturedProject | None = None, honoree: Honoree | None = None,
                    is_public: bool = True, theme: MonthlyTheme | None | bool = True,
                    actor: Actor = None) -> Activity:
    """`theme`: True takes the month's theme of the nearest unit, None leaves it out."""
    brand, content_area = check_brand_and_area(brand, content_area)
    start, end = _times(starts_at, ends_at)
    if not site.is_active:
        raise ValidationError(_l("This site is deactivated."), "site_inactive", field="site_id")
    if honoree is not None and not honoree.is_public:
        raise ValidationError(_l("Only a model on the published honor roll can give a talk."),
                              "honoree_not_public", field="honoree_id")
    if theme is True:
        theme = theme_for(site, local_month(start))
    activity = Activity(
        title=clean_text(title, "title", LABELS["title"], TITLE_MAX, required=True),
        brand=brand, content_area=content_area, site_id=site.id, starts_at=start,
        ends_at=end, capacity=_capacity(capacity), team_id=team.id if team else None,
        description=clean_text(description, "description", LABELS["description"],
                               DESCRIPTION_MAX, one_line=False),
        theme_id=theme.id if theme else None, project_id=project.id if project else None,
        honoree_id=honoree.id if honoree else None, is_public=bool(is_public),
        status="scheduled", created_by=actors.admin_label(actor))
    db.session.add(activity)
    db.session.flush()
    audit.record("activity.create", activity, actor=actor, title=activity.title,
                 site_id=site.id)
    return activity


EDITABLE = ("title", "description", "capacity", "starts_at", "ends_at", "is_public")


def update_activity(activity: Activity, *, actor: Actor = None, **changes) -> Activity:
    """Edit an activity; more places promote people from the waitlist at once."""
    from .signups import fill_from_waitlist, lock_activity

    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_l("These fields cannot be changed here: %(f)s",
                                 f=", ".join(sorted(unknown))), "not_editable")
    activity = lock_activity(activity)
    if activity.is_cancelled:
        raise ValidationError(_l("This activity was cancelled."), "activity_cancelled")
    if "title" in changes:
        activity.title = clean_text(changes["title"], "title", LABELS["title"], TITLE_MAX,
                                    required=True)
    if "description" in changes:
        activity.description = clean_text(changes["description"], "description",
                                          LABELS["description"], DESCRIPTION_MAX,
                                          one_line=False)
    if "starts_at" in changes or "ends_at" in changes:
        activity.starts_at, activity.ends_at = _times(
            changes.get("starts_at", activity.starts_at), changes.get("ends_at",
                                                                       activity.ends_at))
    if "capacity" in changes:
        activity.capacity = _capacity(changes["capacity"])
    if "is_public" in changes:
        activity.is_public = bool(changes["is_public"])
    db.session.flush()
    audit.record("activity.update", activity, actor=actor, fields=sorted(changes))
    fill_from_waitlist(activity)
    return activity


def cancel_activity(activity: Activity, reason, *, actor: Actor = None) -> Activity:
    from .signups import lock_activity

    activity = lock_activity(activity)
    if activity.is_cancelled:
        return activity
    activity.status = "cancelled"
    activity.cancel_reason = clean_text(reason, "reason", LABELS["reason"], REASON_MAX,
                                        required=True)
    db.session.flush()
    audit.record("activity.cancel", activity, actor=actor, reason=activity.cancel_reason)
    return activity


def in_subtree(root: Site):
    return select(Site.id).where(Site.path.startswith(root.path, autoescape=True))


def listing(root: Site, *, month: date | None = None, brand: str | None = None,
            content_area: str | None = None, site: Site | None = None,
            limit: int = 100, offset: int = 0) -> tuple[list[Activity], int]:
    """Activities in a subtree, newest first, one page of them and how many match."""
    query = select(Activity).where(Activity.site_id.in_(in_subtree(site or root)))
    if month is not None:
        start, end = month_bounds(month)
        query = query.where(Activity.starts_at >= start, Activity.starts_at < end)
    if brand:
        query = query.where(Activity.brand == brand)
    if content_area:
        query = query.where(Activity.content_area == content_area)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = db.session.scalars(query.order_by(Activity.starts_at.desc(), Activity.id.desc())
                              .limit(limit).offset(offset)).all()
    return list(page), int(total or 0)


def upcoming_at(site, *, now: datetime | None = None, limit: int = 5,
                public_only: bool = True, days: int = 30) -> list[Activity]:
    """What is on next at a site (and, for a point, at the unit it belongs to)."""
    now = now or utcnow()
    ids = [site.id] + ([site.ancestor_ids[-1]] if site.kind == SiteKind.POINT
                       and site.ancestor_ids else [])
    query = select(Activity).where(Activity.site_id.in_(ids), Activity.status == "scheduled",
                                   Activity.ends_at > now,
                                   Activity.starts_at < now + timedelta(days=days))
    if public_only:
        query = query.where(Activity.is_public.is_(True))
    return list(db.session.scalars(query.order_by(Activity.starts_at, Activity.id)
                                   .limit(limit)))


def talks_by(honoree, *, public_only: bool = False, limit: int = 50) -> list[Activity]:
    """The talks (宣讲) a model of good conduct gives or gave, newest first."""
    query = select(Activity).where(Activity.honoree_id == honoree.id)
    if public_only:
        query = query.where(Activity.status == "scheduled", Activity.is_public.is_(True))
    return list(db.session.scalars(query.order_by(Activity.starts_at.desc()).limit(limit)))


# ---- monthly themes ------------------------------------------------------------------------


def theme_for(site, month: date) -> MonthlyTheme | None:
    """The month's theme of the nearest unit up the tree from `site` (itself first)."""
    chain = site.ancestor_ids + [site.id]
    found = {t.site_id: t for t in db.session.scalars(select(MonthlyTheme).where(
        MonthlyTheme.site_id.in_(chain), MonthlyTheme.month == month))}
    for site_id in reversed(chain):
        if site_id in found:
            return found[site_id]
    return None


def set_theme(site: Site, month: date, title, description="", *,
              actor: Actor = None) -> MonthlyTheme:
    """Set (or change) a unit's theme for a month; its activities that month without a theme
    of their own take it."""
    title = clean_text(title, "title", LABELS["theme"], THEME_TITLE_MAX, required=True)
    description = clean_text(description, "description", LABELS["description"],
                             THEME_DESCRIPTION_MAX, one_line=False)
    theme = db.session.scalar(select(MonthlyTheme).where(MonthlyTheme.site_id == site.id,
                                                         MonthlyTheme.month == month)
                              .with_for_update())
    if theme is None:
        theme = MonthlyTheme(site_id=site.id, month=month, title=title, description=description)
        db.session.add(theme)
    else:
        theme.title, theme.description = title, description
    db.session.flush()
    start, end = month_bounds(month)
    db.session.execute(
        update(Activity).where(Activity.site_id.in_(in_subtree(site)),
                               Activity.theme_id.is_(None), Activity.starts_at >= start,
                               Activity.starts_at < end).values(theme_id=theme.id)
        .execution_options(synchronize_session=False))
    audit.record("activity.theme", theme, actor=actor, site_id=site.id,
                 month=month.isoformat(), title=title)
    return theme


def themes(root: Site, months: list[date]) -> list[MonthlyTheme]:
    return list(db.session.scalars(
        select(MonthlyTheme).where(MonthlyTheme.site_id.in_(in_subtree(root)),
                                   MonthlyTheme.month.in_(months))
        .order_by(MonthlyTheme.month, MonthlyTheme.site_id)))


# ---- the Friday activity day (文明实践集中活动日) -------------------------------------


def fridays(month: date) -> list[date]:
    day = month + timedelta(days=(FRIDAY - month.weekday()) % 7)
    found = []
    while day < next_month(month):
        found.append(day)
        day += timedelta(weeks=1)
    return found


def _insert_ignoring_duplicates(rows: list[dict]) -> None:
    statement = by_dialect({name: dialect.insert(Activity.__table__)
                            .on_conflict_do_nothing(index_elements=["site_id", "series"])
                            for name, dialect in DIALECTS.items()})
    for start in range(0, len(rows), 500):
        db.session.execute(statement, rows[start:start + 500])


def friday_days(root: Site, month: date, *, title, brand, content_area, starts=time(9),
                ends=time(11, 30), capacity=None, description="", team: Team | None = None,
                actor: Actor = None) -> tuple[int, int]:
    """Every Friday of the month, one activity at each station of the subtree (the root
    itself when it is a station or a point). Run twice, it adds nothing: (added, already)."""
    brand, content_area = check_brand_and_area(brand, content_area)
    title = clean_text(title, "title", LABELS["title"], TITLE_MAX, required=True)
    description = clean_text(description, "description", LABELS["description"],
                             DESCRIPTION_MAX, one_line=False)
    capacity = _capacity(capacity)
    if not isinstance(starts, time) or not isinstance(ends, time) or ends <= starts:
        raise ValidationError(_l("The end must be after the start."), "ends_before_start",
                              field="ends")
    if root.kind in (SiteKind.STATION, SiteKind.POINT):
        stations = [root] if root.is_active else []
    else:
        stations = list(db.session.scalars(
            select(Site).where(Site.path.startswith(root.path, autoescape=True),
                               Site.kind == SiteKind.STATION, Site.is_active.is_(True))
            .order_by(Site.id)))
    themed = _themes_by_site(stations, month)
    now = utcnow()
    rows = []
    for day in fridays(month):
        start = datetime.combine(day, starts, tzinfo=LOCAL_TZ).astimezone(UTC)
        end = datetime.combine(day, ends, tzinfo=LOCAL_TZ).astimezone(UTC)
        for station in stations:
            theme = themed.get(station.id)
            rows.append({
                "title": title, "brand": brand, "content_area": content_area,
                "site_id": station.id, "starts_at": start, "ends_at": end,
                "capacity": capacity, "team_id": team.id if team else None,
                "description": description, "theme_id": theme, "project_id": None,
                "honoree_id": None, "is_public": True, "status": "scheduled",
                "cancel_reason": "", "series": f"friday:{day.isoformat()}",
                "created_by": actors.admin_label(actor), "created_at": now, "updated_at": now})
    before = _series_count(stations, month)
    _insert_ignoring_duplicates(rows)
    added = _series_count(stations, month) - before
    audit.record("activity.friday", ("site", root.id), actor=actor, month=month.isoformat(),
                 added=added, already=len(rows) - added)
    return added, len(rows) - added


def _series_count(stations: list[Site], month: date) -> int:
    if not stations:
        return 0
    keys = [f"friday:{d.isoformat()}" for d in fridays(month)]
    total = 0
    ids = [s.id for s in stations]
    for chunk in range(0, len(ids), 500):
        total += db.session.scalar(select(func.count()).select_from(Activity).where(
            Activity.site_id.in_(ids[chunk:chunk + 500]), Activity.series.in_(keys)))
    return int(total)


def _themes_by_site(stations: list[Site], month: date) -> dict[int, int]:
    """Each station's nearest theme for the month, from one read of the month's themes."""
    found = {t.site_id: t.id for t in db.session.scalars(
        select(MonthlyTheme).where(MonthlyTheme.month == month))}
    themed = {}
    for station in stations:
        for site_id in reversed(station.ancestor_ids + [station.id]):
            if site_id in found:
                themed[station.id] = found[site_id]
                break
    return themed
