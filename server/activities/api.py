"""JSON endpoints: a site's next public activities, one activity, a volunteer's sign-up and
its cancellation (phone session), and the rhythm's counts (admins)."""

from __future__ import annotations

from flask import Blueprint, request

from ..core.api import error_responses
from ..core.auth import current_user, login_required, require_site
from ..core.errors import NotFound, Unauthorized
from ..core.fields import parse_month
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, documented
from ..core.schema import parse_id
from ..core.timeutil import utcnow
from ..extensions import db
from ..projects.operations import completion
from ..sites.models import Site
from ..volunteers.auth import current_volunteer
from . import operations as ops
from . import signups, stats
from .display import public_url
from .schemas import ACTIVITY, ACTIVITY_LIST, SIGNUP, STATS, activity_out, tally_out

bp = Blueprint("activities_api", __name__, url_prefix=API_PREFIX + "/activities")


def places_left(activity) -> int | None:
    if activity.capacity is None:
        return None
    return max(0, activity.capacity - signups.confirmed_count(activity))


def _out(activity) -> dict:
    return activity_out(activity, places_left=places_left(activity),
                        url=public_url("activities_mobile.show", activity_id=activity.id))


@bp.get("")
@documented("The next public activities at a site (and, for a point, at its unit)",
            query={"site_id": {"type": "integer"}},
            responses={200: ("activities", ACTIVITY_LIST), **error_responses(404)},
            tags=("activities",))
def upcoming():
    number = parse_id(request.args.get("site_id", ""))
    site = db.session.get(Site, number) if number else None
    if site is None or not site.is_active:
        raise NotFound(_l("No such site."), "site_not_found", field="site_id")
    return {"activities": [_out(a) for a in ops.upcoming_at(site, limit=20)]}


@bp.get("/<int:activity_id>")
@documented("One activity", responses={200: ("the activity", ACTIVITY),
                                       **error_responses(404)}, tags=("activities",))
def show(activity_id: int):
    activity = ops.get_activity(activity_id)
    if not activity.is_public and current_volunteer() is None and current_user() is None:
        raise NotFound(_l("No such activity."), "activity_not_found")
    return _out(activity)


def _volunteer():
    volunteer = current_volunteer()
    if volunteer is None:
        raise Unauthorized(_l("Please log in as a volunteer on this phone."),
                           "volunteer_login_required")
    return volunteer


def _signup_out(signup, promoted=None) -> dict:
    return {"id": signup.id, "activity_id": signup.activity_id, "status": signup.status,
            "waitlist_position": signups.waitlist_position(signup),
            "promoted": promoted.id if promoted else None}


@bp.post("/<int:activity_id>/signup")
@documented("Sign up for an activity (volunteer phone session): a confirmed place while "
            "there is one, else a waitlist spot; asking again returns the same place",
            responses={200: ("the place", SIGNUP), **error_responses(401, 404, 409)},
            tags=("activities",), security="volunteer")
def sign_up(activity_id: int):
    volunteer = _volunteer()
    signup = signups.sign_up(ops.get_activity(activity_id), volunteer=volunteer)
    return _signup_out(signup)


@bp.post("/<int:activity_id>/cancel")
@documented("Give up one's place; the first on the waitlist is promoted into it",
            responses={200: ("the cancelled place", SIGNUP),
                       **error_responses(401, 404, 409)}, tags=("activities",),
            security="volunteer")
def cancel(activity_id: int):
    volunteer = _volunteer()
    activity = ops.get_activity(activity_id)
    held = next((s for s in signups.of_volunteer(volunteer) if s.activity_id == activity.id),
                None)
    if held is None:
        raise NotFound(_l("You have no place in this activity."), "signup_not_found")
    promoted = signups.cancel(held, actor=f"volunteer {volunteer.id}")
    return _signup_out(held, promoted)


@bp.get("/stats")
@login_required
@documented("Activities held, participants and hours by brand, content area, unit and month, "
            "and the 一月一助 completion, in the admin's subtree",
            query={"site_id": {"type": "integer"}, "from": {"type": "string",
                                                            "example": "2026-01"},
                   "to": {"type": "string", "example": "2026-12"}},
            responses={200: ("counts", STATS), **error_responses(400, 401, 403, 404)},
            tags=("activities",), security=True)
def counts():
    number = parse_id(request.args.get("site_id", ""))
    root = require_site(number) if number else current_user().site
    today = utcnow()
    first = parse_month(request.args.get("from") or f"{today.year}-01", "from")
    last = parse_month(request.args.get("to") or f"{today.year}-12", "to")
    if last < first:
        first, last = last, first
    months = stats.months_between(first, last)[-36:]
    result = stats.counts(root, months[0], months[-1])
    return {"site_id": root.id, "from": months[0].strftime("%Y-%m"),
            "to": months[-1].strftime("%Y-%m"), "total": tally_out(result.total),
            "by_brand": {k: tally_out(v) for k, v in result.by_brand.items()},
            "by_area": {k: tally_out(v) for k, v in result.by_area.items()},
            "by_unit": {k: tally_out(v) for k, v in result.by_unit.items()},
            "by_month": {k: tally_out(v) for k, v in result.by_month.items()},
            "claims": [{"month": c.month.strftime("%Y-%m"), "claims": c.claims,
                        "delivered": c.delivered, "dropped": c.dropped, "percent": c.percent}
                       for c in completion(months, root)]}
