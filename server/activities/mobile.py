"""Phone pages: an activity (sign up as a volunteer, register as a resident), a site's next
activities, a resident's registration, the volunteer's own activities with reminders and a
private calendar link; the point landing page's section; the iCalendar feeds."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField

from ..core.db import mark_failed
from ..core.errors import DomainError, NotFound
from ..core.forms import ActionForm
from ..core.i18n import _, _l
from ..core.ical import feed_response
from ..core.schema import parse_id
from ..core.timeutil import utcnow
from ..extensions import db, limiter
from ..sites.models import Site
from ..volunteers.auth import add_phone_link, current_volunteer, volunteer_login_required
from ..volunteers.teams import get_team
from . import feeds, signups
from . import operations as ops
from .api import places_left
from .display import month_text, public_url, when_text

bp = Blueprint("activities_mobile", __name__, template_folder="templates")


class ResidentForm(FlaskForm):
    name = StringField(_l("Your name"))
    phone = StringField(_l("Mobile number"))


def _rate_limit() -> str:
    return current_app.config["ACTIVITIES_RATELIMIT"]


def _site(site_id: int) -> Site:
    site = db.session.get(Site, parse_id(site_id) or 0)
    if site is None or not site.is_active:
        raise NotFound(_l("No such site."), "site_not_found")
    return site


def _visible(activity_id: int):
    activity = ops.get_activity(activity_id)
    if not activity.is_public and current_volunteer() is None:
        raise NotFound(_l("No such activity."), "activity_not_found")
    return activity


def _show_page(activity, *, form=None, error=None, status=200):
    volunteer = current_volunteer()
    held = None
    if volunteer is not None:
        held = next((s for s in signups.of_volunteer(volunteer, upcoming=False)
                     if s.activity_id == activity.id), None)
    return render_template(
        "activities/phone_show.html", activity=activity, held=held, volunteer=volunteer,
        position=signups.waitlist_position(held) if held else None,
        left=places_left(activity), form=form or ResidentForm(), action_form=ActionForm(),
        error=error, when=when_text(activity.starts_at, activity.ends_at, year=True)), status


@bp.get("/activities/<int:activity_id>")
def show(activity_id: int):
    return _show_page(_visible(activity_id))


@bp.post("/activities/<int:activity_id>/join")
@limiter.limit(_rate_limit)
def join(activity_id: int):
    """A volunteer with a phone session takes a place; anyone else registers by phone."""
    activity = _visible(activity_id)
    volunteer = current_volunteer()
    form = ResidentForm()
    if not form.validate_on_submit():
        return _show_page(activity, form=form, status=400)
    try:
        if volunteer is not None:
            signups.sign_up(activity, volunteer=volunteer)
            return redirect(url_for(".show", activity_id=activity.id, joined=1))
        signup = signups.sign_up(activity, phone=form.phone.data, name=form.name.data)
    except DomainError as error:
        mark_failed()
        db.session.refresh(activity)
        return _show_page(activity, form=form, error=error, status=error.status)
    return redirect(url_for(".registration", token=signups.signup_token(signup)))


@bp.post("/activities/<int:activity_id>/leave")
@volunteer_login_required
def leave(activity_id: int):
    activity = ops.get_activity(activity_id)
    volunteer = current_volunteer()
    if ActionForm().validate_on_submit():
        held = next((s for s in signups.of_volunteer(volunteer) if s.activity_id == activity.id),
                    None)
        if held is not None:
            try:
                signups.cancel(held, actor=f"volunteer {volunteer.id}")
            except DomainError as error:
                mark_failed()
                db.session.refresh(activity)
                return _show_page(activity, error=error, status=error.status)
    return redirect(url_for(".show", activity_id=activity.id))


@bp.get("/activities/r/<token>")
def registration(token: str):
    signup = signups.signup_from_token(token)
    return render_template("activities/phone_registration.html", signup=signup, token=token,
                           activity=signup.activity, form=ActionForm(),
                           position=signups.waitlist_position(signup),
                           when=when_text(signup.activity.starts_at, signup.activity.ends_at,
                                          year=True))


@bp.post("/activities/r/<token>/cancel")
def cancel_registration(token: str):
    signup = signups.signup_from_token(token)
    if ActionForm().validate_on_submit():
        try:
            signups.cancel(signup, actor="resident")
        except DomainError as error:
            mark_failed()
            return render_template("activities/phone_registration.html", signup=signup,
                                   token=token, activity=signup.activity, form=ActionForm(),
                                   error=error, position=None,
                                   when=when_text(signup.activity.starts_at,
                                                  signup.activity.ends_at, year=True)), \
                error.status
    return redirect(url_for(".registration", token=token))


@bp.get("/activities/at/<int:site_id>")
def at_site(site_id: int):
    site = _site(site_id)
    month = ops.local_month(utcnow())
    return render_template("activities/phone_site.html", site=site,
                           activities=ops.upcoming_at(site, limit=30, days=60),
                           theme=ops.theme_for(site, month), month=month_text(month),
                           when=when_text)


# ---- the volunteer's own ---------------------------------------------------------------------


def register_phone_link(app) -> None:
    add_phone_link(app, "activities_mobile.mine", _l("My activities"), 20)


@bp.get("/v/activities")
@volunteer_login_required
def mine():
    volunteer = current_volunteer()
    site = volunteer.home_site
    return render_template(
        "activities/phone_mine.html", volunteer=volunteer,
        reminders=signups.reminders(volunteer), places=signups.of_volunteer(volunteer),
        nearby=ops.upcoming_at(site, limit=8, public_only=False, days=30),
        position=signups.waitlist_position, when=when_text, form=ActionForm(),
        has_link=feeds.has_calendar_link(volunteer))


@bp.post("/v/activities/calendar")
@volunteer_login_required
def calendar_link():
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".mine"))
    token = feeds.new_calendar_link(current_volunteer())
    url = public_url("activities_mobile.volunteer_feed", token=token)
    webcal = "webcal://" + url.split("://", 1)[1]
    return render_template("activities/phone_calendar.html", url=url, webcal=webcal), 200, \
        {"Cache-Control": "no-store"}


# ---- iCalendar feeds -------------------------------------------------------------------------


@bp.get("/calendar/site/<int:site_id>.ics")
def site_feed(site_id: int):
    site = _site(site_id)
    return feed_response(_("Activities at %(site)s", site=site.name), feeds.site_events(site),
                         f"site-{site.id}.ics")


@bp.get("/calendar/team/<int:team_id>.ics")
def team_feed(team_id: int):
    team = get_team(team_id)
    if not team.is_active:
        abort(404)
    return feed_response(_("Activities of %(team)s", team=team.name), feeds.team_events(team),
                         f"team-{team.id}.ics")


@bp.get("/calendar/v/<token>.ics")
@limiter.limit("60 per minute")
def volunteer_feed(token: str):
    volunteer = feeds.volunteer_for_token(token)
    if volunteer is None:
        raise NotFound(_l("This calendar link is not valid any more."), "calendar_link_invalid")
    return feed_response(_("My volunteer activities"), feeds.volunteer_events(volunteer),
                         "my-activities.ics", private=True)


# ---- the point landing page ------------------------------------------------------------------


def landing_section(site) -> Markup | None:
    month = ops.local_month(utcnow())
    theme = ops.theme_for(site, month)
    upcoming = ops.upcoming_at(site, limit=3)
    if theme is None and not upcoming:
        return None
    return Markup(render_template("activities/_landing.html", site=site, theme=theme,
                                  month=month_text(month), activities=upcoming,
                                  when=when_text))
