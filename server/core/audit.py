"""The audit log: who did what to which record, appended by operations, never edited."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, insert
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .hot import Hot
from .timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id"))
    actor: Mapped[str] = mapped_column(String(120), default="")  # readable: "admin", "kiosk 3"
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


_INSERT = Hot(insert(AuditEvent.__table__))


def record(action: str, target=None, *, actor=None, **details) -> None:
    """Append an audit event in the current transaction. `actor` is a user or a label.

    One plain INSERT, executed now: events are never read back in the request that writes them,
    so they need no ORM object (kiosk uploads write one on every refusal and credit)."""
    from .auth import current_user

    if actor is None and has_request_context():
        actor = current_user()
    _INSERT.rows({
        "at": utcnow(),
        "action": action,
        "actor_user_id": getattr(actor, "id", None),
        "actor": getattr(actor, "username", None) or (actor if isinstance(actor, str) else ""),
        "target_type": getattr(target, "__tablename__", None) if target is not None else None,
        "target_id": str(target.id) if target is not None else None,
        "ip": request.remote_addr if has_request_context() else None,
        "details": details,
    })
