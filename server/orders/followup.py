"""回访 (follow-up) of low ratings and reopened orders: the worklist of the admin who must
call, the resident's phone shown to that admin (audited), "回访完成" with a note."""

from __future__ import annotations

from sqlalchemy import select

from ..core import actors, audit
from ..core.errors import Conflict
from ..core.i18n import _l
from ..extensions import db
from ..sites.models import Site
from .models import NOTE_MAX, Order, OrderFollowUp
from .text import clean_text


def worklist(user, *, limit: int = 200) -> list[Order]:
    """Flagged orders of the admin's subtree (a low rating, a reopen) nobody has followed up,
    oldest first: whoever manages the order's site calls."""
    done = select(OrderFollowUp.order_id)
    return list(db.session.scalars(
        select(Order).join(Site, Site.id == Order.site_id)
        .where(Site.path.startswith(user.site.path, autoescape=True),
               Order.is_flagged.is_(True), Order.id.not_in(done))
        .order_by(Order.placed_at).limit(limit)))


def follow_up_of(order: Order) -> OrderFollowUp | None:
    return db.session.scalar(select(OrderFollowUp).where(OrderFollowUp.order_id == order.id))


def phone_shown(order: Order, actor) -> str:
    """The resident's number in full, for the call; who saw it is audited."""
    if order.phone:
        audit.record("order.phone_shown", order, actor=actor, number=order.number)
    return order.phone


def complete(order: Order, note, *, actor) -> OrderFollowUp:
    """回访完成: the call is made and noted; the order leaves the worklist (it stays flagged,
    so the dashboard's "needs follow-up" filter still finds it, with the note)."""
    note = clean_text(note, "note", NOTE_MAX, required=True)
    if follow_up_of(order) is not None:
        raise Conflict(_l("This order's follow-up is already recorded."), "follow_up_done")
    row = OrderFollowUp(order_id=order.id, note=note, done_by_user_id=actors.admin_id(actor))
    db.session.add(row)
    db.session.flush()
    audit.record("order.follow_up", order, actor=actor, number=order.number, note=note)
    return row
