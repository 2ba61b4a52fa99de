"""The redemption catalog per site and redeeming points, race-safe. They flush, never commit."""

from __future__ import annotations

from sqlalchemy import select

from ..core import actors, audit
from ..core.actors import Actor
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.i18n import _l
from ..core.schema import parse_id
from ..extensions import db
from ..sites.models import Site
from ..volunteers.models import Volunteer
from . import operations as ops
from .models import ITEM_KINDS, REDEMPTION, Item, Redemption, Transfer

QUANTITY_MAX = 20
KIND_LABELS = {"goods": _l("goods"), "service": _l("service"), "priority": _l("priority")}


def get_item(item_id) -> Item:
    item_id = parse_id(item_id.strip() if isinstance(item_id, str) else item_id)
    item = db.session.get(Item, item_id) if item_id is not None else None
    if item is None:
        raise NotFound(_l("No such item in the catalog."), "item_not_found", field="item_id")
    return item


def items_for(site: Site, *, active_only: bool = False) -> list[Item]:
    """What can be redeemed at a site: its own items and those of the units above it."""
    ids = site.ancestor_ids + [site.id]
    query = select(Item).where(Item.site_id.in_(ids))
    if active_only:
        query = query.where(Item.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Item.site_id, Item.name)))


def _whole(value, field: str, label, *, minimum: int, maximum: int,
           optional: bool = False) -> int | None:
    if optional and (value is None or value == ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise ValidationError(_l("%(field)s must be a whole number from %(a)d to %(b)d.",
                                 field=label, a=minimum, b=maximum), "invalid_number",
                              field=field)
    return value


def save_item(site: Site, *, item: Item | None = None, name=None, kind="goods",
              description="", cost_points=None, stock=None, is_active=True,
              actor: Actor = None) -> Item:
    name = " ".join((name or "").split()) if isinstance(name, str) else ""
    if not name or len(name) > 64:
        raise ValidationError(_l("Give the item a name of at most 64 characters."),
                              "invalid_name", field="name")
    if kind not in ITEM_KINDS:
        raise ValidationError(_l("Unknown kind of item."), "invalid_kind", field="kind")
    description = " ".join((description or "").split())[:200]
    cost = _whole(cost_points, "cost_points", _l("Cost in points"), minimum=1, maximum=100_000)
    stock = _whole(stock, "stock", _l("Stock"), minimum=0, maximum=1_000_000, optional=True)
    clash = select(Item.id).where(Item.site_id == site.id, Item.name == name)
    if item is not None:
        clash = clash.where(Item.id != item.id)
    if db.session.scalar(clash):
        raise Conflict(_l("This site already has an item with that name."), "duplicate_name",
                       field="name")
    if item is None:
        item = Item(site_id=site.id)
        db.session.add(item)
    else:
        item = lock_item(item)
    item.name, item.kind, item.description = name, kind, description
    item.cost_points, item.stock, item.is_active = cost, stock, bool(is_active)
    db.session.flush()
    audit.record("ledger.item", item, actor=actors.for_audit(actor), name=name, cost=cost,
                 stock=stock, active=item.is_active)
    return item


def lock_item(item: Item) -> Item:
    return db.session.scalar(select(Item).where(Item.id == item.id).with_for_update()
                             .execution_options(populate_existing=True))


def redeem(volunteer: Volunteer, item: Item, quantity=1, *, actor: Actor = None, device=None,
           client_key: str | None = None) -> Redemption:
    """Spend points on an item. Locks the account, then the item (always in this order, so two
    redemptions never deadlock), then checks: never overdrawn, never oversold."""
    quantity = _whole(quantity, "quantity", _l("Quantity"), minimum=1, maximum=QUANTITY_MAX)
    if client_key is not None:
        done = db.session.scalar(select(Redemption).where(Redemption.client_key == client_key))
        if done is not None:
            if (done.volunteer_id, done.item_id, done.quantity) != (volunteer.id, item.id,
                                                                    quantity):
                raise Conflict(_l("This request key was already used for another redemption."),
                               "key_reused", status=422)
            return done
    if not volunteer.is_active:
        raise Conflict(_l("This volunteer is not active."), "volunteer_inactive")
    account = ops.lock_account(ops.account_for(volunteer))
    item = lock_item(item)
    if not item.is_active:
        raise Conflict(_l("This item is no longer offered."), "item_inactive", field="item_id")
    if device is not None and not item.site.contains(device.site):
        raise Conflict(_l("This item is not offered at this site."), "item_elsewhere",
                       field="item_id")
    if item.stock is not None and item.stock < quantity:
        raise Conflict(_l("Out of stock: %(n)d left.", n=item.stock), "out_of_stock",
                       field="quantity", details={"stock": item.stock})
    points = item.cost_points * quantity
    current = ops.account_balance(account)
    if current < points:
        raise ops.InsufficientPoints(
            _l("Not enough points: the balance is %(b)d, %(n)d are needed.", b=current,
               n=points), details={"balance": current, "needed": points})
    if item.stock is not None:
        item.stock -= quantity
    who = actor if actor is not None else device
    redemption = Redemption(item_id=item.id, volunteer_id=volunteer.id, quantity=quantity,
                            points=points, device_id=device.id if device else None,
                            actor=ops.actor_label(who), client_key=client_key)
    db.session.add(redemption)
    db.session.flush()
    transfer, _ = ops.post(account, ops.system_account(REDEMPTION), points, "redemption",
                           redemption.id, memo=f"{item.name} × {quantity}", actor=who)
    redemption.transfer_id = transfer.id
    db.session.flush()
    audit.record("ledger.redeem", redemption, actor=actors.for_audit(who), item=item.name,
                 quantity=quantity, points=points, volunteer=volunteer.number)
    return redemption


def restock_for(transfer: Transfer) -> None:
    """A reversed redemption puts its goods back on the shelf."""
    redemption = db.session.get(Redemption, int(transfer.source_id))
    if redemption is None:
        return
    item = lock_item(redemption.item)
    if item.stock is not None:
        item.stock += redemption.quantity
    db.session.flush()
