"""The honor roll (先进典型): models of good conduct, nominated by units, approved by the
district, with a re-encoded photo kept apart from the row so lists never load it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import one_of
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site

# The kinds of model the seed names (四川好人, 道德模范, 好大姐, 好儿媳, 好邻居 …).
CATEGORIES = ("四川好人", "道德模范", "凡人善举", "见义勇为", "好大姐", "好儿媳", "好婆婆",
              "好邻居", "最美志愿者")
STATES = ("nominated", "approved", "rejected", "withdrawn")
NAME_MAX = 32
TITLE_MAX = 64
STORY_MAX = 600
REASON_MAX = 200
PHOTO_TYPES = ("image/jpeg",)


class Honoree(db.Model):
    __tablename__ = "honoree"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORIES), name="category"),
        CheckConstraint(one_of("status", STATES), name="status"),
        CheckConstraint("year >= 1949 AND year <= 2100", name="year"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # Published only with the person's consent to their name, photo and story being shown.
        CheckConstraint("status <> 'approved' OR has_consent", name="approved_has_consent"),
        Index("ix_honoree_status_year", "status", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")  # e.g. 广元市第二届道德模范
    story: Mapped[str] = mapped_column(String(STORY_MAX), default="")
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)  # nominating unit
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="nominated")
    has_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    nominated_by: Mapped[str] = mapped_column(String(120), default="")
    nominated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # The photo's SHA-256 (None: no photo): part of the photo's URL, so caches never serve an
    # old picture after a new upload.
    photo_digest: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    site: Mapped[Site] = relationship()

    @property
    def is_public(self) -> bool:
        return self.status == "approved"


class HonoreePhoto(db.Model):
    """The honoree's portrait, as this server re-encoded it (JPEG, bounded size)."""

    __tablename__ = "honoree_photo"

    honoree_id: Mapped[int] = mapped_column(ForeignKey("honoree.id", ondelete="CASCADE"),
                                            primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(16), default="image/jpeg")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
