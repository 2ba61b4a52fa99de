"""Site model; the tree's shape is enforced by the database, not only by Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db


class SiteKind(StrEnum):
    CENTER = "center"
    INSTITUTE = "institute"
    STATION = "station"
    POINT = "point"


# Which kinds of parent each kind may have. Every parent ranks strictly above its child, so a
# cycle cannot be built; the check constraint below states the same table for the database.
PARENT_KINDS: dict[SiteKind, frozenset[SiteKind]] = {
    SiteKind.CENTER: frozenset(),
    SiteKind.INSTITUTE: frozenset({SiteKind.CENTER}),
    SiteKind.STATION: frozenset({SiteKind.INSTITUTE}),
    SiteKind.POINT: frozenset({SiteKind.CENTER, SiteKind.INSTITUTE, SiteKind.STATION}),
}

NAME_MAX = 64
ADDRESS_MAX = 200
CONTACT_MAX = 32


class Site(db.Model):
    __tablename__ = "site"
    __table_args__ = (
        # (id, kind) is unique so children can reference their parent's kind with a foreign
        # key: a station row can only point at a row that really is an institute.
        UniqueConstraint("id", "kind", name="uq_site_id_kind"),
        ForeignKeyConstraint(
            ["parent_id", "parent_kind"], ["site.id", "site.kind"], name="fk_site_parent"
        ),
        UniqueConstraint("parent_id", "name", name="uq_site_parent_id_name"),
        CheckConstraint("kind IN ('center', 'institute', 'station', 'point')", name="kind"),
        CheckConstraint(
            "(kind = 'center' AND parent_id IS NULL AND parent_kind IS NULL)"
            " OR (kind = 'institute' AND parent_id IS NOT NULL"
            "     AND COALESCE(parent_kind, '') = 'center')"
            " OR (kind = 'station' AND parent_id IS NOT NULL"
            "     AND COALESCE(parent_kind, '') = 'institute')"
            " OR (kind = 'point' AND parent_id IS NOT NULL"
            "     AND COALESCE(parent_kind, '') IN ('center', 'institute', 'station'))",
            name="parent_kind",
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="lat"),
        CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="lon"
        ),
        # One district center per deployment.
        unique_where("uq_site_one_center", "kind", where="kind = 'center'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(index=True)
    parent_kind: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")
    contact_phone: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Materialized path of ids, "/1/5/23/": a subtree is one indexed LIKE, scope checks are a
    # string prefix test. Kept right by operations.create_site and move_site.
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, onupdate=utcnow
    )

    parent: Mapped[Site | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children", viewonly=True
    )
    children: Mapped[list[Site]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", viewonly=True, order_by="Site.id"
    )

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    @property
    def depth(self) -> int:
        return len(self.ancestor_ids)

    def contains(self, other: Site) -> bool:
        """True when `other` is this site or lies in its subtree."""
        return bool(self.path) and other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.kind} {self.name}>"


@dataclass(frozen=True, slots=True)
class SiteRef:
    """A site as a busy read path carries it, read in its own statement's row (a kiosk's site
    on every upload): what the rules ask of a site, with the same names as Site's."""

    id: int
    kind: str
    name: str
    address: str
    path: str
    is_active: bool

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def contains(self, other) -> bool:
        """True when `other` (a Site or SiteRef) is this site or lies in its subtree."""
        return bool(self.path) and other.path.startswith(self.path)
