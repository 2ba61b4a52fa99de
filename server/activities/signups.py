"""Sign-ups: exactly `capacity` confirmed places, the rest on a waitlist in order of arrival,
promoted when a confirmed place is given up. The activity's row lock orders them all."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.actors import Actor
from ..core.db import serialize
from ..core.errors import Conflict, NotFound
from ..core.fields import clean_text
from ..core.i18n import _l
from ..core.schema import parse_id
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..orders.text import clean_phone
from ..volunteers.models import Volunteer
from .models import NAME_MAX, Activity, ActivitySignup

# How many open registrations one phone number may hold at once (no account behind it).
PHONE_OPEN_LIMIT = 5


class SignupRefused(Conflict):
    """A sign-up the rules do not allow; `code` says which rule."""


def lock_activity(activity: Activity) -> Activity:
    """The activity's row, locked: every change to its places starts here (PostgreSQL; on
    SQLite the writer's BEGIN IMMEDIATE already orders them)."""
    return db.session.scalar(select(Activity).where(Activity.id == activity.id)
                             .with_for_update().execution_options(populate_existing=True))


def confirmed_count(activity: Activity) -> int:
    return int(db.session.scalar(select(func.count()).select_from(ActivitySignup).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.status == "confirmed")))


def confirmed_counts(activity_ids: list[int]) -> dict[int, int]:
    """Confirmed places of many activities in one read per 500 (lists and exports)."""
    found: dict[int, int] = {}
    for start in range(0, len(activity_ids), 500):
        for activity_id, count in db.session.execute(
                select(ActivitySignup.activity_id, func.count()).where(
                    ActivitySignup.activity_id.in_(activity_ids[start:start + 500]),
                    ActivitySignup.status == "confirmed")
                .group_by(ActivitySignup.activity_id)):
            found[activity_id] = count
    return found


def _check_open(activity: Activity, now: datetime) -> None:
    if activity.is_cancelled:
        raise SignupRefused(_l("This activity was cancelled."), "activity_cancelled")
    if as_utc(activity.ends_at) <= now:
        raise SignupRefused(_l("This activity is over."), "activity_over")


def sign_up(activity: Activity, *, volunteer: Volunteer | None = None, phone=None, name="",
            now: datetime | None = None, actor: Actor = None) -> ActivitySignup:
    """A place for a volunteer (phone session) or a resident (phone number, public
    activities). Asking again returns the place already held."""
    now = now or utcnow()
    if volunteer is None:
        phone = clean_phone(phone)
        name = clean_text(name, "name", _l("Full name"), NAME_MAX, required=True)
    activity = lock_activity(activity)
    _check_open(activity, now)
    if volunteer is None and not activity.is_public:
        raise SignupRefused(_l("This activity is for volunteers only."), "volunteers_only")
    held = _held(activity, volunteer, phone)
    if held is not None:
        return held
    if volunteer is None:
        serialize(f"activities.phone:{phone}")
        open_count = db.session.scalar(
            select(func.count()).select_from(ActivitySignup)
            .join(Activity, Activity.id == ActivitySignup.activity_id)
            .where(ActivitySignup.phone == phone, ActivitySignup.status != "cancelled",
                   Activity.ends_at > now))
        if open_count >= PHONE_OPEN_LIMIT:
            raise SignupRefused(
                _l("This phone number already holds %(n)d registrations.", n=PHONE_OPEN_LIMIT),
                "too_many_signups", field="phone")
    full = activity.capacity is not None and confirmed_count(activity) >= activity.capacity
    signup = ActivitySignup(activity_id=activity.id,
                            volunteer_id=volunteer.id if volunteer else None,
                            phone=None if volunteer else phone,
                            name=volunteer.name if volunteer else name,
                            status="waitlisted" if full else "confirmed", created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(signup)
            db.session.flush()
    except IntegrityError:  # the same person twice at once: the partial unique index
        held = _held(activity, volunteer, phone)
        if held is None:
            raise
        return held
    audit.record("activity.signup", signup, actor=actor or _who(signup),
                 activity_id=activity.id, status=signup.status)
    return signup


def _who(signup: ActivitySignup) -> str:
    return f"volunteer {signup.volunteer_id}" if signup.volunteer_id else "resident"


def _held(activity: Activity, volunteer, phone) -> ActivitySignup | None:
    query = select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                         ActivitySignup.status != "cancelled")
    query = query.where(ActivitySignup.volunteer_id == volunteer.id) if volunteer else \
        query.where(ActivitySignup.phone == phone)
    return db.session.scalar(query)


def cancel(signup: ActivitySignup, *, now: datetime | None = None,
           actor: Actor = None) -> ActivitySignup | None:
    """Give up a place (or a waitlist spot). Returns whoever was promoted into it."""
    now = now or utcnow()
    activity = lock_activity(signup.activity)
    signup = db.session.scalar(select(ActivitySignup).where(ActivitySignup.id == signup.id)
                               .with_for_update().execution_options(populate_existing=True))
    if signup.status == "cancelled":
        return None
    if as_utc(activity.starts_at) <= now:
        raise SignupRefused(_l("The activity has begun; it can no longer be cancelled."),
                            "activity_started")
    was = signup.status
    signup.status = "cancelled"
    signup.cancelled_at = now
    db.session.flush()
    audit.record("activity.signup_cancel", signup, actor=actor or _who(signup),
                 activity_id=activity.id, was=was)
    promoted = fill_from_waitlist(activity, now=now)
    return promoted[0] if promoted else None


def fill_from_waitlist(activity: Activity, *, now: datetime | None = None
                       ) -> list[ActivitySignup]:
    """Confirm waitlisted people, first come first served, while places are free (the
    activity is locked by the caller)."""
    now = now or utcnow()
    if activity.is_cancelled or as_utc(activity.starts_at) <= now:
        return []
    free = None if activity.capacity is None else activity.capacity - confirmed_count(activity)
    query = (select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                          ActivitySignup.status == "waitlisted")
             .order_by(ActivitySignup.id).with_for_update())
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for signup in promoted:
        signup.status = "confirmed"
        signup.promoted_at = now
    db.session.flush()
    for signup in promoted:
        audit.record("activity.promote", signup, actor="rule", activity_id=activity.id)
    return promoted


def roster(activity: Activity) -> list[ActivitySignup]:
    return list(db.session.scalars(select(ActivitySignup).where(
        ActivitySignup.activity_id == activity.id).order_by(ActivitySignup.id)))


def waitlist_position(signup: ActivitySignup) -> int | None:
    if signup.status != "waitlisted":
        return None
    return 1 + int(db.session.scalar(select(func.count()).select_from(ActivitySignup).where(
        ActivitySignup.activity_id == signup.activity_id, ActivitySignup.status == "waitlisted",
        ActivitySignup.id < signup.id)))


def of_volunteer(volunteer: Volunteer, *, now: datetime | None = None,
                 upcoming: bool = True) -> list[ActivitySignup]:
    now = now or utcnow()
    query = (select(ActivitySignup).join(Activity, Activity.id == ActivitySignup.activity_id)
             .where(ActivitySignup.volunteer_id == volunteer.id,
                    ActivitySignup.status != "cancelled"))
    if upcoming:
        query = query.where(Activity.ends_at > now).order_by(Activity.starts_at)
    else:
        query = query.order_by(Activity.starts_at.desc())
    return list(db.session.scalars(query.limit(100)))


def reminders(volunteer: Volunteer, *, now: datetime | None = None,
              within: timedelta = timedelta(days=3)) -> list[ActivitySignup]:
    """The volunteer's confirmed places starting soon: shown at the top of their task list."""
    now = now or utcnow()
    return [s for s in of_volunteer(volunteer, now=now)
            if s.status == "confirmed" and as_utc(s.activity.starts_at) - now <= within]


def get_signup(signup_id) -> ActivitySignup:
    number = parse_id(signup_id)
    signup = db.session.get(ActivitySignup, number) if number else None
    if signup is None:
        raise NotFound(_l("No such registration."), "signup_not_found")
    return signup


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="activity-signup")


def signup_token(signup: ActivitySignup) -> str:
    """The resident's link to their registration (to see it, or cancel it)."""
    return _serializer().dumps(signup.id)


def signup_from_token(token: str) -> ActivitySignup:
    try:
        signup_id = _serializer().loads(token)
    except BadSignature:
        raise NotFound(_l("This registration link is not valid."), "signup_link_invalid") \
            from None
    if not isinstance(signup_id, int):
        raise NotFound(_l("This registration link is not valid."), "signup_link_invalid")
    return get_signup(signup_id)
