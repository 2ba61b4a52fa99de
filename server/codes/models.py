"""Signing keys, issued codes and the append-only revocation feed that kiosks follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.schema import unique_where
from ..core.timeutil import UtcDateTime, utcnow
from ..extensions import db
from ..sites.models import Site

CODE_TYPES = ("point", "volunteer", "order", "presence", "enrollment")


class SigningKeyRecord(db.Model):
    """An Ed25519 key pair. The private half is encrypted with a key derived from SECRET_KEY."""

    __tablename__ = "signing_key"
    __table_args__ = (
        # Exactly one key signs new codes; older ones keep verifying until retired.
        unique_where("uq_signing_key_current", "is_current", where="is_current"),
        CheckConstraint("NOT (is_current AND retired_at IS NOT NULL)", name="current_not_retired"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(16), unique=True)
    public_x: Mapped[str] = mapped_column(String(64))  # base64url raw public key (JWK "x")
    private_encrypted: Mapped[str] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def jwk(self) -> dict:
        return {"kid": self.kid, "kty": "OKP", "crv": "Ed25519", "x": self.public_x}


class ServiceCode(db.Model):
    """One issued version of one code. A subject has at most one live (unrevoked) version."""

    __tablename__ = "service_code"
    __table_args__ = (
        UniqueConstraint("type", "subject", "version", name="uq_service_code_type_subject_version"),
        unique_where("uq_service_code_live", "type", "subject", where="revoked_at IS NULL"),
        CheckConstraint(
            "type IN ('point', 'volunteer', 'order', 'presence', 'enrollment')", name="type"
        ),
        CheckConstraint("type != 'point' OR site_id IS NOT NULL", name="point_has_site"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_key.kid"))
    token: Mapped[str] = mapped_column(Text)
    short_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoke_reason: Mapped[str] = mapped_column(String(200), default="")

    site: Mapped[Site | None] = relationship()

    @property
    def code_id(self) -> str:
        return f"{self.type}:{self.subject}:{self.version}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class CodeRevocation(db.Model):
    """Append-only: kiosks ask for entries after their cursor (this table's id)."""

    __tablename__ = "code_revocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[str] = mapped_column(String(64), unique=True)
    service_code_id: Mapped[int] = mapped_column(ForeignKey("service_code.id"))
    revoked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
