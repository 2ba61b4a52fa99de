"""The demo district loads with the seed's numbers and can be loaded again."""

from __future__ import annotations

from sqlalchemy import func, select

from server.sites.models import Site
from server.users.models import AdminUser


def _kinds(db):
    db.session.rollback()
    return dict(db.session.execute(select(Site.kind, func.count()).group_by(Site.kind)).all())


def test_demo_load_builds_the_district_and_repeats_safely(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "added: 169 sites, 3 admins, 169 codes" in result.output
    assert _kinds(db) == {"center": 1, "institute": 12, "station": 150, "point": 6}
    names = set(db.session.scalars(select(Site.name).where(Site.kind == "point")))
    assert names == {"区政务服务中心", "区图书馆", "国网昭化供电分公司", "元坝汽车站",
                     "栖凤苑小区", "卡尔广场"}
    again = runner.invoke(args=["demo", "load"])
    counts = [int(part.split()[0]) for part in again.output.split("added:")[1].split(",")]
    assert counts and set(counts) == {0}, again.output
    assert _kinds(db)["station"] == 150
    assert db.session.scalar(select(func.count()).select_from(AdminUser)) == 3
    institutes = db.session.scalars(select(Site).where(Site.kind == "institute")).all()
    assert all(5 <= len(i.children) <= 20 for i in institutes)


def test_demo_history_fills_the_time_bank(runner, db):
    from server.ledger.models import Item
    from server.ledger.operations import verify
    from server.shifts.models import Shift

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.rollback()
    shifts = db.session.scalars(select(Shift)).all()
    assert len(shifts) == 160
    assert all(s.ended_at is not None and s.is_creditable for s in shifts)
    assert db.session.scalar(select(func.count()).select_from(Item)) == 7
    assert verify() == []  # every transfer balanced, every balance the sum of its entries
