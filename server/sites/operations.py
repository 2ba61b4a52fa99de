"""Site tree rules: create, edit, move, deactivate, search. They flush; the caller commits."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from sqlalchemy import func, or_, select, update

from ..core import audit
from ..core.actors import Actor
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.i18n import _l
from ..core.schema import parse_id
from ..extensions import db
from .models import ADDRESS_MAX, CONTACT_MAX, NAME_MAX, PARENT_KINDS, Site, SiteKind

KIND_LABELS = {
    SiteKind.CENTER: _l("center"),
    SiteKind.INSTITUTE: _l("institute"),
    SiteKind.STATION: _l("station"),
    SiteKind.POINT: _l("service point"),
}


FIELD_LABELS = {
    "name": _l("Name"),
    "address": _l("Address"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Contact phone"),
}


_PHONE_CHARS = re.compile(r"\+?[\d\s()\-]+")


def _contact_phone(value) -> str:
    """A mobile or a landline (0827-1234567, (0827) 123 4567, +86 138…): digits with the
    usual separators, 7 to 15 digits; empty is allowed (no contact yet)."""
    phone = _text(value, "contact_phone", CONTACT_MAX)
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not _PHONE_CHARS.fullmatch(phone) or not 7 <= digits <= 15):
        raise ValidationError(_l("Enter a phone number of digits, such as 0827-1234567 or "
                                 "13812345678."), "invalid_phone", field="contact_phone")
    return phone


def _text(value, field: str, limit: int, *, required: bool = False) -> str:
    label = FIELD_LABELS[field]
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_l("%(field)s must be text.", field=label), "invalid_type",
                              field=field)
    value = " ".join(value.split())  # collapse stray whitespace from copy-paste
    if required and not value:
        raise ValidationError(_l("%(field)s is required.", field=label), "required", field=field)
    if len(value) > limit:
        raise ValidationError(
            _l("%(field)s is too long (at most %(n)d characters).", field=label, n=limit),
            "too_long", field=field,
        )
    return value


def _coordinate(value, field: str, bound: float) -> float | None:
    label = FIELD_LABELS[field]
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("%(field)s must be a number.", field=label), "invalid_type",
                              field=field) from None
    if not -bound <= number <= bound:
        raise ValidationError(_l("%(field)s is out of range.", field=label), "out_of_range",
                              field=field)
    return number


def _kind(value) -> SiteKind:
    try:
        return SiteKind(value)
    except ValueError:
        raise ValidationError(_l("Unknown kind of site."), "invalid_kind", field="kind") from None


def _check_parent(kind: SiteKind, parent: Site | None) -> None:
    allowed = PARENT_KINDS[kind]
    if kind == SiteKind.CENTER:
        if parent is not None:
            raise ValidationError(_l("The district center has no parent."), "invalid_parent",
                                  field="parent_id")
        if db.session.scalar(select(Site.id).where(Site.kind == SiteKind.CENTER)):
            raise Conflict(_l("The network already has its district center."), "second_center",
                           field="kind")
        return
    if parent is None:
        raise ValidationError(_l("Choose the site this one belongs to."), "parent_required",
                              field="parent_id")
    if parent.kind not in allowed:
        raise ValidationError(
            _l("A %(kind)s cannot be placed under a %(parent)s.",
               kind=KIND_LABELS[kind], parent=KIND_LABELS[SiteKind(parent.kind)]),
            "invalid_parent", field="parent_id",
        )
    if not parent.is_active:
        raise ValidationError(_l("The parent site is deactivated."), "parent_inactive",
                              field="parent_id")


def _check_name_free(name: str, parent: Site | None, *, exclude: Site | None = None) -> None:
    query = select(Site.id).where(Site.name == name)
    query = query.where(Site.parent_id == parent.id if parent else Site.parent_id.is_(None))
    if exclude is not None:
        query = query.where(Site.id != exclude.id)
    if db.session.scalar(query):
        raise Conflict(_l("A site named “%(name)s” already exists there.", name=name),
                       "duplicate_name", field="name")


def get_site(site_id) -> Site:
    try:
        site = db.session.get(Site, int(site_id))
    except (TypeError, ValueError):
        site = None
    if site is None:
        raise NotFound(_l("No such site."), "site_not_found")
    return site


def create_site(*, kind, name=None, parent: Site | None = None, address="", latitude=None,
                longitude=None, contact_name="", contact_phone="", actor: Actor = None) -> Site:
    kind = _kind(kind)
    site = Site(
        kind=kind,
        name=_text(name, "name", NAME_MAX, required=True),
        address=_text(address, "address", ADDRESS_MAX),
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        contact_name=_text(contact_name, "contact_name", CONTACT_MAX),
        contact_phone=_contact_phone(contact_phone),
    )
    _check_parent(kind, parent)
    _check_name_free(site.name, parent)
    if parent is not None:
        site.parent_id, site.parent_kind = parent.id, parent.kind
    db.session.add(site)
    db.session.flush()  # the id is part of the path
    site.path = (parent.path if parent else "/") + f"{site.id}/"
    db.session.flush()
    audit.record("site.create", site, actor=actor, kind=str(kind), name=site.name,
                 parent_id=site.parent_id)
    return site


EDITABLE = ("name", "address", "latitude", "longitude", "contact_name", "contact_phone")


def update_site(site: Site, *, actor: Actor = None, **changes) -> Site:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_l("These fields cannot be changed here: %(f)s",
                                 f=", ".join(sorted(unknown))), "not_editable")
    cleaned = {}
    if "name" in changes:
        cleaned["name"] = _text(changes["name"], "name", NAME_MAX, required=True)
        _check_name_free(cleaned["name"], site.parent, exclude=site)
    if "address" in changes:
        cleaned["address"] = _text(changes["address"], "address", ADDRESS_MAX)
    for field, bound in (("latitude", 90), ("longitude", 180)):
        if field in changes:
            cleaned[field] = _coordinate(changes[field], field, bound)
    if "contact_name" in changes:
        cleaned["contact_name"] = _text(changes["contact_name"], "contact_name", CONTACT_MAX)
    if "contact_phone" in changes:
        cleaned["contact_phone"] = _contact_phone(changes["contact_phone"])
    before = {field: getattr(site, field) for field in cleaned}
    for field, value in cleaned.items():
        setattr(site, field, value)
    db.session.flush()
    changed = {f: [before[f], v] for f, v in cleaned.items() if before[f] != v}
    if changed:
        audit.record("site.update", site, actor=actor, changes=changed)
    return site


def move_site(site: Site, new_parent: Site, *, actor: Actor = None) -> Site:
    if new_parent.path.startswith(site.path):
        raise ValidationError(_l("A site cannot be moved into its own subtree."), "cycle",
                              field="parent_id")
    _check_parent(SiteKind(site.kind), new_parent)
    _check_name_free(site.name, new_parent, exclude=site)
    old_path, new_path = site.path, new_parent.path + f"{site.id}/"
    old_parent_id = site.parent_id
    site.parent_id, site.parent_kind = new_parent.id, new_parent.kind
    db.session.flush()
    db.session.execute(
        update(Site)
        .where(Site.path.startswith(old_path, autoescape=True))
        .values(path=func.replace(Site.path, old_path, new_path))
        .execution_options(synchronize_session="fetch")
    )
    audit.record("site.move", site, actor=actor, old_parent_id=old_parent_id,
                 new_parent_id=new_parent.id)
    return site


def set_active(site: Site, active: bool, *, actor: Actor = None) -> int:
    """Deactivate a site with its whole subtree, or reactivate one site. Returns rows changed."""
    if active:
        if site.parent is not None and not site.parent.is_active:
            raise ValidationError(_l("Reactivate the parent site first."), "parent_inactive")
        site.is_active = True
        count = 1
    else:
        if getattr(actor, "site_id", None) == site.id:
            raise ValidationError(_l("You cannot deactivate the site you manage from."),
                                  "own_site")
        result = db.session.execute(
            update(Site)
            .where(Site.path.startswith(site.path, autoescape=True), Site.is_active.is_(True))
            .values(is_active=False)
            .execution_options(synchronize_session="fetch")
        )
        count = result.rowcount
    db.session.flush()
    audit.record("site.activate" if active else "site.deactivate", site, actor=actor,
                 rows=count)
    return count


def subtree_query(root: Site):
    return select(Site).where(Site.path.startswith(root.path, autoescape=True))


def within(query, column, root: Site):
    """`query` limited to rows whose `column` names a site of `root`'s subtree, as a join: with
    an IN (subquery) SQLite walks each of the subtree's sites through the foreign key's index
    (a million shifts for a province), with a join it takes the period's index range. The
    center's subtree is every site (the tree has one root), so its figures need no join."""
    if root.parent_id is None:
        return query
    return query.join(Site, Site.id == column).where(
        Site.path.startswith(root.path, autoescape=True))


def search(root: Site, text: str = "", *, kind: str | Sequence[str] | None = None,
           include_inactive: bool = True, limit: int = 100) -> list[Site]:
    """Sites of `root`'s subtree whose name or address holds `text`, of one kind or of any
    of several (`kind`), in path order."""
    query = subtree_query(root)
    text = " ".join((text or "").split())
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Site.name.like(pattern, escape="\\"),
                                Site.address.like(pattern, escape="\\")))
    kinds = [k for k in ([kind] if isinstance(kind, str) else kind or ()) if k]
    if kinds:
        query = query.where(Site.kind.in_({_kind(k) for k in kinds}))
    if not include_inactive:
        query = query.where(Site.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Site.path).limit(limit)))


def tree_order(root: Site, *, include_inactive: bool = False,
               kinds: Collection[str] | None = None) -> list[tuple[Site, int]]:
    """(site, depth below root) for the whole subtree in reading order: each site followed by
    its children by kind and name (the order a select shows when there is no search). With
    `kinds`, only sites of those kinds (a parent ranks above its child, so leaving out the
    lower kinds never cuts a site off from the root)."""
    query = subtree_query(root)
    if not include_inactive:
        query = query.where(Site.is_active.is_(True))
    if kinds is not None:
        query = query.where(Site.kind.in_(list(kinds)))
    rows = list(db.session.scalars(query))
    children: dict[int | None, list[Site]] = {}
    for site in rows:
        children.setdefault(site.parent_id, []).append(site)
    order = {kind: i for i, kind in enumerate(("center", "institute", "station", "point"))}
    out: list[tuple[Site, int]] = []

    def walk(site: Site, depth: int) -> None:
        out.append((site, depth))
        for child in sorted(children.get(site.id, []), key=lambda s: (order[s.kind], s.name)):
            walk(child, depth + 1)

    if any(s.id == root.id for s in rows):
        walk(root, 0)
    return out


#: Options a site picker's select holds at most: beyond this a select is no use without its
#: search, and a province's 10,000 sites made every page with a picker 0.9 MB and 0.4 s.
PICKER_OPTIONS = 500
_RANKED = tuple(k.value for k in SiteKind)  # center, institute, station, point


def picker_order(root: Site, *, selected: object = None, kinds: Collection[str] | None = None,
                 limit: int | None = None) -> list[tuple[Site, int]]:
    """`tree_order` for a site picker's select. A subtree of up to `limit` sites (of `kinds`)
    is listed whole; a larger one only down to the deepest kind that keeps the list within
    `limit` (the institutes and stations of a province, say), plus the selected site. The
    picker's search (site_picker.js over `sites_admin.pick`) reaches every site; without
    JavaScript the select offers the upper levels."""
    limit = PICKER_OPTIONS if limit is None else limit
    wanted = [k for k in _RANKED if kinds is None or k in kinds]
    counts = dict(db.session.execute(
        select(Site.kind, func.count()).where(Site.path.startswith(root.path, autoescape=True),
                                              Site.is_active.is_(True))
        .group_by(Site.kind)).all())
    shown: list[str] = []
    total = 0
    for kind in wanted:
        total += counts.get(kind, 0)
        if total > limit and shown:
            break
        shown.append(kind)
    out = tree_order(root, kinds=shown)
    chosen = str(selected or "").strip()
    number = parse_id(chosen) if chosen.isdigit() else None  # None: no row can have it
    if number is not None and all(s.id != number for s, _ in out):
        site = db.session.get(Site, number)
        if site is not None and site.is_active and root.contains(site) and site.kind in wanted:
            out.append((site, site.depth - root.depth))
    return out


def trails(sites: list[Site], root: Site) -> dict[int, str]:
    """Each site's place in the tree below `root` ("元坝镇… › 青岩村…"), with one query."""
    ids = {i for s in sites for i in s.ancestor_ids}
    names = dict(db.session.execute(select(Site.id, Site.name).where(Site.id.in_(ids))).all()
                 ) if ids else {}
    below = set(root.ancestor_ids) | {root.id}
    return {s.id: " › ".join(names[i] for i in s.ancestor_ids if i in names and i not in below)
            for s in sites}


def ancestors(site: Site) -> list[Site]:
    ids = site.ancestor_ids
    if not ids:
        return []
    found = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def child_counts(site_ids: list[int]) -> dict[int, int]:
    if not site_ids:
        return {}
    rows = db.session.execute(
        select(Site.parent_id, func.count()).where(Site.parent_id.in_(site_ids))
        .group_by(Site.parent_id)
    )
    return dict(rows.all())


def center() -> Site | None:
    """The district center, the root of the tree (one per deployment)."""
    return db.session.scalar(select(Site).where(Site.kind == SiteKind.CENTER))


def coordinate_bounds() -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the active sites that have coordinates; None when
    none has."""
    row = db.session.execute(
        select(func.min(Site.latitude), func.min(Site.longitude), func.max(Site.latitude),
               func.max(Site.longitude))
        .where(Site.is_active.is_(True), Site.latitude.is_not(None),
               Site.longitude.is_not(None))
    ).one()
    return None if row[0] is None else tuple(row)
