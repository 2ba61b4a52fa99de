"""The order loop's rules: place, accept, reject, start, complete, rate, reopen, cancel.
They flush; the caller commits. Status changes go through states.transition only."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..codes import operations as codes
from ..core import actors, audit
from ..core.actors import Actor
from ..core.db import serialize
from ..core.errors import DomainError, Forbidden, NotFound, ValidationError
from ..core.i18n import _l
from ..core.timeutil import LOCAL_TZ, as_utc, utcnow
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer
from . import dispatch as rules
from .menu import offered_at
from .models import (
    COMMENT_MAX,
    NOTE_MAX,
    PLACE_MAX,
    REASON_MAX,
    Order,
    OrderStatusChange,
    Rating,
    ServiceItem,
)
from .notify import notify
from .states import refuse, transition
from .text import clean_phone, clean_tags, clean_text

ACCEPTED = ("accepted", "in_service", "completed", "rated")


class DailyLimit(DomainError):
    status = 429
    code = "daily_limit"


# ---- finding orders ------------------------------------------------------------------------


def get_order(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == str(number)))
    if order is None:
        raise NotFound(_l("No such order."), "order_not_found")
    return order


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="order-receipt")


def receipt_token(order: Order) -> str:
    """The signed part of the resident's receipt link: whoever holds it follows the order."""
    return _serializer().dumps(order.number)


def order_from_receipt(token: str) -> Order:
    try:
        number = _serializer().loads(token)
    except BadSignature:
        raise NotFound(_l("This receipt link is not valid. Please use the link or code on "
                          "your receipt."), "receipt_invalid") from None
    return get_order(number)


def order_code(order: Order):
    return codes.live_code("order", order.number)


def receipt_by_code(order: Order) -> str | None:
    """The receipt token, when the order code may still hand it over: until a volunteer has
    accepted the order. From then on the code is shown to whoever serves it (to confirm
    completion), so holding it proves nothing about being the resident; rating, cancelling
    and reopening stay with whoever took the receipt before (the resident, on their phone)."""
    return receipt_token(order) if order.accepted_at is None else None


def order_from_code(text: str, *, source: str) -> Order:
    """The order behind a scanned order code (refusals are audited by codes.resolve)."""
    return get_order(codes.resolve(text, expected_type="order", source=source).subject)


# ---- 点单 -----------------------------------------------------------------------------------


def parse_preferred(value) -> datetime | None:
    """A local date-time from the form ("2026-11-29T09:00") or ISO 8601 with offset, as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(_l("Please choose a valid date and time."), "invalid_time",
                                  field="preferred_at") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    try:
        moment = as_utc(moment)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is past datetime's range in UTC
        moment = None
    now = utcnow()
    if moment is None or moment < now - timedelta(hours=1) or moment > now + timedelta(days=60):
        raise ValidationError(_l("Please choose a time within the next 60 days."),
                              "time_out_of_range", field="preferred_at")
    return moment


def _check_daily_limit(phone: str) -> None:
    limit = current_app.config["ORDERS_PHONE_DAILY_LIMIT"]
    # Two orders from one phone at once would both count below the limit: the second waits
    # here until the first commits, then counts it.
    serialize(f"orders.phone-day:{phone}")
    midnight = datetime.now(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    count = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.phone == phone, Order.placed_at >= as_utc(midnight)))
    if count >= limit:
        raise DailyLimit(_l("This phone number has placed %(n)d orders today, the most a day "
                            "allows. Please try again tomorrow or call the site.", n=limit),
                         field="phone")


def place_order(*, site: Site, item: ServiceItem, phone, place="", note="", preferred_at=None,
                channel: str = "phone", device=None, latitude=None, longitude=None,
                actor: Actor = None, phone_optional: bool = False) -> Order:
    """`phone_optional`: Open311 makes the phone optional; an order without one is marked no
    callback (`Order.has_callback`), and the per-phone daily limit cannot apply to it."""
    phone = "" if phone_optional and phone in (None, "") else clean_phone(phone)
    order = Order(site_id=site.id, item_id=item.id, phone=phone, channel=channel,
                  place=clean_text(place, "place", PLACE_MAX),
                  note=clean_text(note, "note", NOTE_MAX),
                  preferred_at=parse_preferred(preferred_at),
                  latitude=latitude, longitude=longitude,
                  device_id=getattr(device, "id", None), unit_site_id=rules.unit_of(site).id)
    if not site.is_active:
        raise ValidationError(_l("This site is closed."), "site_inactive")
    if not offered_at(item, site):
        raise ValidationError(_l("This service is not offered here."), "item_not_offered",
                              field="item_id")
    if phone:
        _check_daily_limit(phone)
    db.session.add(order)
    db.session.flush()
    local_day = as_utc(order.placed_at).astimezone(LOCAL_TZ)
    order.number = f"{local_day:%y%m%d}{order.id:05d}"
    db.session.flush()
    db.session.refresh(order)
    db.session.add(OrderStatusChange(order_id=order.id, from_status=None, to_status="placed",
                                     at=order.placed_at, actor=actors.label(actor or channel)))
    audit.record("order.placed", order, actor=actors.for_audit(actor or channel),
                 number=order.number, item_id=item.id, site_id=site.id, channel=channel)
    codes.issue("order", order.number, site=site, actor=actors.for_audit(actor or channel))
    rules.dispatch_by_rule(order)
    return order


# ---- 接单 -----------------------------------------------------------------------------------


def accept(order: Order, volunteer: Volunteer, *, assignee: Volunteer | None = None) -> Order:
    """Exactly one of many simultaneous accepts wins; the others get 409 already_accepted."""
    order = rules.lock(order)
    if order.status in ACCEPTED:
        raise refuse(order, "already_accepted", _l("Someone has already accepted this order."))
    if order.status == "cancelled":
        raise refuse(order, "order_cancelled", _l("This order was cancelled."))
    if order.status != "dispatched":
        raise refuse(order, "not_dispatched", _l("This order is not waiting to be accepted."))
    if not rules.may_accept(order, volunteer):
        raise Forbidden(_l("This order was not dispatched to you or your team."),
                        "not_your_order")
    doer = volunteer
    if assignee is not None and assignee.id != volunteer.id:
        # A team leader accepts for the team and names who goes.
        if not rules.is_member(order.team_id, volunteer, leader=True):
            raise Forbidden(_l("Only the team leader can assign a member."), "not_leader")
        if not rules.is_member(order.team_id, assignee) or not assignee.is_active:
            raise ValidationError(_l("That volunteer is not in the team."), "not_in_team",
                                  field="assignee")
        doer = assignee
    transition(order, "accepted", actor=volunteer, conflict_code="already_accepted",
               volunteer_id=doer.id)
    if order.has_callback:
        notify(order.phone, "accepted", order)
    if doer is not volunteer:
        notify(doer, "assigned", order)
    return order


def serves(order: Order, volunteer: Volunteer | None) -> bool:
    """The volunteer serves this order: its volunteer, or the leader of its team."""
    return volunteer is not None and (
        order.volunteer_id == volunteer.id
        or rules.is_member(order.team_id, volunteer, leader=True))


def _serving(order: Order, volunteer: Volunteer) -> None:
    if not serves(order, volunteer):
        raise Forbidden(_l("This order is not yours."), "not_your_order")


def _for_the_resident(order: Order, by: Volunteer | None) -> None:
    """Rating, cancelling and reopening are the resident's: refused to whoever serves the
    order, however they came by the receipt (`by`: the volunteer logged in where it is asked)."""
    if serves(order, by):
        raise Forbidden(_l("You serve this order, so only the resident can rate, cancel or "
                           "reopen it."), "own_service")


def reject(order: Order, volunteer: Volunteer, reason) -> Order:
    """Give an order back to dispatch, saying why."""
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    order = rules.lock(order)
    if order.status == "dispatched":
        if not rules.may_accept(order, volunteer):
            raise Forbidden(_l("This order was not dispatched to you or your team."),
                            "not_your_order")
    elif order.status == "accepted":
        _serving(order, volunteer)
    else:
        raise refuse(order, "not_rejectable", _l("This order can no longer be given back."))
    transition(order, "placed", actor=volunteer, reason=reason, team_id=None, volunteer_id=None,
               is_pool=False)
    notify(order.unit, "rejected", order)
    return order


# ---- 服务 -----------------------------------------------------------------------------------


def start(order: Order, volunteer: Volunteer, *, at=None) -> Order:
    order = rules.lock(order)
    _serving(order, volunteer)
    return transition(order, "in_service", actor=volunteer, at=at,
                      conflict_code="not_accepted")


def service_minutes(order: Order, completed_at: datetime) -> int:
    """Measured time, when service was started at least 5 minutes before; else the menu's
    expected duration. Capped at twice the expected duration: a forgotten finish pads nothing."""
    expected = order.item.expected_minutes
    minutes = expected
    if order.started_at is not None:
        elapsed = int((as_utc(completed_at) - as_utc(order.started_at)).total_seconds() // 60)
        if elapsed >= 5:
            minutes = elapsed
    return max(1, min(minutes, 2 * expected))


def complete(order: Order, *, via: str, volunteer: Volunteer | None = None, at=None,
             actor: Actor = None) -> Order:
    """Completion confirmed by the resident's order code (phone or kiosk) or on the receipt.
    The service hours go to the time bank with the order as the source."""
    order = rules.lock(order)
    if volunteer is not None:
        _serving(order, volunteer)
    if order.status in ("completed", "rated"):
        raise refuse(order, "already_completed", _l("This order is already completed."))
    at = at or utcnow()
    if order.status == "accepted":  # confirmed without a separate start: service happened
        transition(order, "in_service", actor=actor or volunteer, at=at, reason=via)
    if order.status != "in_service":
        raise refuse(order, "not_in_service", _l("This order has not been accepted yet."))
    minutes = service_minutes(order, at)
    transition(order, "completed", actor=actor or volunteer, at=at, reason=via,
               service_minutes=minutes)
    from ..ledger.operations import credit_service

    try:
        credit_service(order, order.volunteer, minutes)
    except ValidationError as error:
        if error.code != "no_points":
            raise
    notify(order.volunteer, "completed", order)
    return order


# ---- 评单 -----------------------------------------------------------------------------------


def rate(order: Order, *, stars, tags=None, comment="", channel: str = "phone",
         by: Volunteer | None = None) -> Rating:
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError(_l("Please choose 1 to 5 stars."), "invalid_stars", field="stars")
    tags, comment = clean_tags(tags), clean_text(comment, "comment", COMMENT_MAX)
    order = rules.lock(order)
    _for_the_resident(order, by)
    if order.rating is not None or order.status == "rated":
        raise refuse(order, "already_rated", _l("This order has already been rated."))
    if order.status != "completed":
        raise refuse(order, "not_completed", _l("An order can be rated once it is completed."))
    rating = Rating(order_id=order.id, volunteer_id=order.volunteer_id, stars=stars, tags=tags,
                    comment=comment, channel=channel)
    try:
        with db.session.begin_nested():  # the unique key is the last word on "once"
            db.session.add(rating)
    except IntegrityError:
        raise refuse(order, "already_rated", _l("This order has already been rated.")) from None
    values = {}
    if stars <= 2:
        values = {"is_flagged": True, "flag_reason": f"rating {stars}"}
    transition(order, "rated", actor=channel, reason=f"{stars} stars", **values)
    if order.volunteer is not None:
        notify(order.volunteer, "rated", order)
    if stars <= 2:
        notify(order.unit, "low_rating", order)
    return rating


def reopen(order: Order, reason, *, actor="resident", now=None,
           by: Volunteer | None = None) -> Order:
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    order = rules.lock(order)
    _for_the_resident(order, by)
    if order.status not in ("completed", "rated"):
        raise refuse(order, "not_reopenable", _l("Only a completed order can be reopened."))
    days = current_app.config["ORDERS_REOPEN_DAYS"]
    if (now or utcnow()) - as_utc(order.completed_at) > timedelta(days=days):
        raise refuse(order, "reopen_expired",
                     _l("An order can be reopened within %(n)d days of completion.", n=days))
    transition(order, "reopened", actor=actor, reason=reason, is_flagged=True,
               flag_reason=f"reopened: {reason}"[:200], closed_at=None)
    notify(order.unit, "reopened", order)
    return rules.redispatch(order)


def cancel(order: Order, reason, *, actor="resident", by: Volunteer | None = None) -> Order:
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    order = rules.lock(order)
    _for_the_resident(order, by)
    if order.status == "cancelled":
        return order  # a retried cancel changes nothing
    transition(order, "cancelled", actor=actor, reason=reason, conflict_code="not_cancellable")
    if order.volunteer is not None:
        notify(order.volunteer, "cancelled", order)
    return order


# ---- the volunteer's record ----------------------------------------------------------------


def services_of(order_ids: list[int]) -> dict[int, tuple[str, str]]:
    """For the time bank's records of service orders: {order id: (site name, service name)}."""
    if not order_ids:
        return {}
    rows = db.session.execute(
        select(Order.id, Site.name, ServiceItem.name).join(Site, Site.id == Order.site_id)
        .join(ServiceItem, ServiceItem.id == Order.item_id).where(Order.id.in_(order_ids)))
    return {order_id: (site, service) for order_id, site, service in rows}


def evaluations_for(volunteer: Volunteer) -> list[dict]:
    """Ratings the volunteer received, oldest first, for the 志愿服务记录证明:
    {"date": local date, "service": item name, "stars": 1–5, "comment": str}."""
    rows = db.session.execute(
        select(Rating.created_at, ServiceItem.name, Rating.stars, Rating.comment)
        .join(Order, Order.id == Rating.order_id).join(ServiceItem, ServiceItem.id == Order.item_id)
        .where(Rating.volunteer_id == volunteer.id).order_by(Rating.created_at, Rating.id))
    return [{"date": as_utc(at).astimezone(LOCAL_TZ).date(), "service": name, "stars": stars,
             "comment": comment} for at, name, stars, comment in rows]
