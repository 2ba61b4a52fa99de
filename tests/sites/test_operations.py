"""The site tree's rules, through the operations and straight against the database."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from server.core.audit import AuditEvent
from server.core.errors import Conflict, ValidationError
from server.sites import operations as ops
from server.sites.models import Site


def test_paths_follow_the_tree(network):
    library = network["library"]
    expected = "/" + "/".join(
        str(network[k].id) for k in ("center", "east", "east_station", "library")
    ) + "/"
    assert library.path == expected
    assert network["east"].contains(library)
    assert not network["west"].contains(library)


@pytest.mark.parametrize(
    ("kind", "parent_key", "code"),
    [
        ("station", "east_station", "invalid_parent"),  # a station under a station
        ("institute", "east", "invalid_parent"),  # an institute under an institute
        ("station", "center", "invalid_parent"),  # a station straight under the center
        ("point", "library", "invalid_parent"),  # nothing goes under a point
        ("center", "east", "invalid_parent"),  # a center with a parent
        ("institute", None, "parent_required"),
    ],
)
def test_invalid_placements_are_refused(db, network, kind, parent_key, code):
    before = db.session.scalar(select(Site.id).order_by(Site.id.desc()))
    with pytest.raises(ValidationError) as caught:
        ops.create_site(kind=kind, name="新站点", parent=network.get(parent_key))
    assert caught.value.code == code
    db.session.rollback()
    assert db.session.scalar(select(Site.id).order_by(Site.id.desc())) == before


def test_a_second_center_is_refused(db, network):
    with pytest.raises(Conflict) as caught:
        ops.create_site(kind="center", name="另一个中心")
    assert caught.value.code == "second_center"


def test_duplicate_name_under_one_parent(db, network):
    with pytest.raises(Conflict) as caught:
        ops.create_site(kind="station", name=" 东村新时代文明实践站 ", parent=network["east"])
    assert caught.value.code == "duplicate_name"
    # the same name under another parent is fine
    site = ops.create_site(kind="station", name="东村新时代文明实践站", parent=network["west"])
    assert site.parent_id == network["west"].id


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": ""}, "required", "name"),
        ({"name": "   "}, "required", "name"),
        ({"name": "长" * 65}, "too_long", "name"),
        ({"name": 42}, "invalid_type", "name"),
        ({"address": "址" * 201}, "too_long", "address"),
        ({"latitude": "north"}, "invalid_type", "latitude"),
        ({"latitude": 91}, "out_of_range", "latitude"),
        ({"longitude": float("nan")}, "out_of_range", "longitude"),
    ],
)
def test_bad_fields(db, network, fields, code, field):
    values = {"name": "新的实践点", **fields}
    with pytest.raises(ValidationError) as caught:
        ops.create_site(kind="point", parent=network["east"], **values)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_unknown_kind(db, network):
    with pytest.raises(ValidationError) as caught:
        ops.create_site(kind="village", name="x", parent=network["center"])
    assert caught.value.code == "invalid_kind"


def test_move_rewrites_the_subtree_paths(db, network):
    ops.move_site(network["east_station"], network["west"])
    db.session.commit()
    library = db.session.get(Site, network["library"].id)
    db.session.refresh(library)
    assert library.path.startswith(network["west"].path)
    assert network["west"].contains(library)


def test_move_into_own_subtree_is_a_cycle(db, network):
    with pytest.raises(ValidationError) as caught:
        ops.move_site(network["east"], network["east"])
    assert caught.value.code == "cycle"


def test_deactivate_takes_the_subtree_and_reactivate_needs_the_parent(db, network):
    count = ops.set_active(network["east"], False)
    db.session.commit()
    assert count == 3
    station = db.session.get(Site, network["east_station"].id)
    assert not station.is_active
    with pytest.raises(ValidationError):
        ops.set_active(station, True)
    with pytest.raises(ValidationError) as caught:  # no children under an inactive site
        ops.create_site(kind="station", name="新站", parent=network["east"])
    assert caught.value.code == "parent_inactive"


def test_changes_are_audited(db, network):
    ops.update_site(network["library"], name="东村农家书屋", address="东村一组")
    db.session.commit()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "site.update")
    ).one()
    assert event.details["changes"]["name"] == ["东村图书室", "东村农家书屋"]


def test_search_stays_inside_the_root(db, network):
    found = ops.search(network["east"], "村")
    assert {s.id for s in found} == {network["east_station"].id, network["library"].id}
    assert ops.search(network["east"], "%") == []  # LIKE wildcards are literal


# ---- the database refuses a bad tree even when Python is bypassed ----------------------


def _raw_site(db, **values):
    defaults = {"address": "", "contact_name": "", "contact_phone": "", "is_active": True,
                "path": "", "created_at": db.func.now(), "updated_at": db.func.now()}
    db.session.execute(insert(Site).values(**{**defaults, **values}))
    db.session.flush()


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "station", "name": "站下站"},  # parent is a station, claimed as institute
        {"kind": "center", "name": "第二中心"},
        {"kind": "point", "name": "点下点"},
    ],
)
def test_database_constraints(db, network, values):
    parent = {"站下站": network["east_station"], "第二中心": None,
              "点下点": network["library"]}[values["name"]]
    if parent is not None:
        # Lie about the parent's kind: the composite foreign key catches the lie,
        # and telling the truth breaks the check constraint.
        claimed = {"station": "institute", "point": "station"}[values["kind"]]
        values = {**values, "parent_id": parent.id, "parent_kind": claimed}
    with pytest.raises(IntegrityError):
        _raw_site(db, **values)
    db.session.rollback()


def test_database_refuses_a_duplicate_name(db, network):
    with pytest.raises(IntegrityError):
        _raw_site(db, kind="station", name="东村新时代文明实践站", parent_id=network["east"].id,
                  parent_kind="institute")
    db.session.rollback()
