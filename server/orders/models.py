"""Service menu items, orders with their status history, ratings, unit policies and notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qr import contract

from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Team, Volunteer

# The seed's five content areas and five project brands; menu items name one of each.
CONTENT_AREAS = ("学习实践科学理论", "宣传宣讲党的政策", "培育践行主流价值", "丰富活跃文化生活",
                 "持续深入移风易俗")
BRANDS = ("理响巴蜀", "德耀巴蜀", "文润天府", "风新四川", "情暖万家")

STATUSES = ("placed", "dispatched", "accepted", "in_service", "completed", "rated", "cancelled",
            "reopened")
CHANNELS = ("phone", "kiosk", "open311", "admin")

ITEM_NAME_MAX = 64
ITEM_DESCRIPTION_MAX = 300
PLACE_MAX, NOTE_MAX, COMMENT_MAX = contract.PLACE_MAX, contract.NOTE_MAX, contract.COMMENT_MAX
REASON_MAX = 200
TAGS_MAX, TAG_MAX = contract.TAGS_MAX, contract.TAG_MAX  # the kiosk checks the same


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class ServiceItem(db.Model):
    """One line of a 服务清单: offered at a site and everything below it, served by a team."""

    __tablename__ = "service_item"
    __table_args__ = (
        CheckConstraint(_in("content_area", CONTENT_AREAS), name="content_area"),
        CheckConstraint(_in("brand", BRANDS), name="brand"),
        CheckConstraint("expected_minutes > 0 AND expected_minutes <= 1440",
                        name="expected_minutes"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    name: Mapped[str] = mapped_column(String(ITEM_NAME_MAX))
    description: Mapped[str] = mapped_column(String(ITEM_DESCRIPTION_MAX), default="")
    content_area: Mapped[str] = mapped_column(String(16))
    brand: Mapped[str] = mapped_column(String(16))
    expected_minutes: Mapped[int] = mapped_column(Integer, default=60)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    site: Mapped[Site] = relationship()
    team: Mapped[Team | None] = relationship()


class Order(db.Model):
    """A resident's order. `status` changes only through operations.transition()."""

    __tablename__ = "service_order"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        # An accepted order always names who accepted it.
        CheckConstraint("status NOT IN ('accepted', 'in_service', 'completed', 'rated')"
                        " OR volunteer_id IS NOT NULL", name="accepted_has_volunteer"),
        Index("ix_service_order_phone_placed", "phone", "placed_at"),
        Index("ix_service_order_status_site", "status", "site_id"),
        # A period's range holds every column the reports read (a covering index on SQLite,
        # an index-only scan on PostgreSQL): a province's year of orders is 180,000 rows.
        Index("ix_service_order_placed_report", "placed_at", "site_id", "item_id", "status",
              "accepted_at", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Human number, e.g. 26112900042: local date and the row id. Set right after the insert.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="placed")
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    phone: Mapped[str] = mapped_column(String(11))  # "": no callback (Open311 only)
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="")
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    preferred_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The unit (station, institute or center) responsible now; escalation moves it up.
    unit_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), index=True)
    is_pool: Mapped[bool] = mapped_column(Boolean, default=False)
    is_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    service_minutes: Mapped[int | None] = mapped_column(Integer)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    unit: Mapped[Site] = relationship(foreign_keys=[unit_site_id])
    item: Mapped[ServiceItem] = relationship()
    team: Mapped[Team | None] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    rating: Mapped[Rating | None] = relationship(back_populates="order", uselist=False)
    history: Mapped[list[OrderStatusChange]] = relationship(
        back_populates="order", order_by="OrderStatusChange.id")

    @property
    def has_callback(self) -> bool:
        """False for an Open311 report whose reporter left no phone number: no one to call."""
        return bool(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status not in ("completed", "rated", "cancelled")

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"


def mask_phone(phone: str | None) -> str:
    """A resident's number as lists show it: 138****5678 ("" when none was left)."""
    return phone[:3] + "****" + phone[-4:] if phone else ""


class Open311Submission(db.Model):
    """Which Open311 API key posted an order: reading the order back with that key shows the
    reporter's own description and location. Only the key's SHA-256 is kept."""

    __tablename__ = "open311_submission"

    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"), primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64))


class OrderStatusChange(db.Model):
    """The audit trail of an order's status: one row per transition, never edited."""

    __tablename__ = "order_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # To whom the order went at this step (a dispatch: the team and/or named volunteer) and,
    # for an escalation, the unit it moved to: the history says where it went, not only how.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    unit_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))

    order: Mapped[Order] = relationship(back_populates="history")
    team: Mapped[Team | None] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    unit: Mapped[Site | None] = relationship()


class Rating(db.Model):
    __tablename__ = "order_rating"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
                      # The reports count a period's stars: read from the index alone.
                      Index("ix_order_rating_order_stars", "order_id", "stars"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # One rating per order, as a fact of the database.
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"), unique=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="")
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="rating")


class OrderPolicy(db.Model):
    """Per unit: whether qualified volunteers may grab (抢单) and how long acceptance may wait.
    The nearest ancestor with a policy wins."""

    __tablename__ = "order_policy"
    __table_args__ = (CheckConstraint("accept_timeout_minutes > 0", name="timeout_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), unique=True)
    pool_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    accept_timeout_minutes: Mapped[int] = mapped_column(Integer, default=120)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class OrderNotice(db.Model):
    """An in-app notification: a volunteer's task list and the dispatch board read these."""

    __tablename__ = "order_notice"
    __table_args__ = (
        CheckConstraint(_in("recipient_type", ("volunteer", "team", "site", "resident")),
                        name="recipient_type"),
        Index("ix_order_notice_recipient", "recipient_type", "recipient_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_type: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # What the delivery backends did (e.g. {"log": "ok"}); SMS/WeChat add their entries.
    delivery: Mapped[dict] = mapped_column(JSON, default=dict)

    order: Mapped[Order] = relationship()



class OrderFollowUp(db.Model):
    """回访: an admin called the resident about a low rating or a reopened order, and noted
    what was said. One per order; an order with one is off the follow-up worklist."""

    __tablename__ = "order_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_order.id"), unique=True)
    note: Mapped[str] = mapped_column(String(NOTE_MAX))
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    done_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
