"""Who did something, as every operation takes it (`actor=`): an admin user, a kiosk (a Device
row or the request's Kiosk record), a volunteer, a label ("system", "cli", "rule", an order's
channel), or None. Operations store an actor two ways: by its label (a text column: a ledger
posting's, an order history row's, `created_by`/`decided_by`) and in the audit log, where an
admin is kept by id. These functions are the one reading of an actor for both."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from ..devices.models import Device
    from ..devices.operations import Kiosk
    from ..users.models import AdminUser
    from ..volunteers.models import Volunteer

#: What an operation's `actor=` accepts.
Actor: TypeAlias = Union["AdminUser", "Kiosk", "Device", "Volunteer", str, None]

LABEL_MAX = 120  # the label columns' length


def is_admin(actor: Actor) -> bool:
    return getattr(actor, "__tablename__", None) == "admin_user"


def admin_id(actor: Actor) -> int | None:
    """The admin user's id (a `*_by_user_id` column), None for anyone else."""
    return actor.id if is_admin(actor) else None


def label(actor: Actor, *, default: str = "") -> str:
    """Readable and stable: an admin's username, "kiosk 3", "volunteer V…", the label given
    (cut to the columns' length), or `default` for None."""
    if actor is None:
        return default
    if isinstance(actor, str):
        return actor[:LABEL_MAX]
    if is_admin(actor):
        return actor.username
    if getattr(actor, "__tablename__", None) == "device":  # a Device row or a Kiosk record
        return f"kiosk {actor.id}"
    if getattr(actor, "__tablename__", None) == "volunteer":
        return f"volunteer {actor.number}"
    return str(actor)[:LABEL_MAX]


def admin_label(actor: Actor) -> str:
    """An admin's username or a label given; "" for anyone else (who decided a booking, who
    nominated an honoree: columns that name people of the dashboard)."""
    if isinstance(actor, str):
        return actor[:LABEL_MAX]
    return actor.username if is_admin(actor) else ""


def for_audit(actor: Actor) -> Actor:
    """What audit.record takes: an admin as such (kept by id), anyone else by label, None
    (audit.record then takes the request's admin) as None."""
    return actor if actor is None or is_admin(actor) else label(actor)
