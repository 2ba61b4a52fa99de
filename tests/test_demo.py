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
    # The named points, and the center's 18 function rooms (each a point with its poster).
    assert "added: 187 sites, 3 admins, 187 codes" in result.output
    assert _kinds(db) == {"center": 1, "institute": 12, "station": 150, "point": 6 + 18}
    names = set(db.session.scalars(select(Site.name).where(Site.kind == "point")))
    assert names >= {"区政务服务中心", "区图书馆", "国网昭化供电分公司", "元坝汽车站",
                     "栖凤苑小区", "卡尔广场", "理论宣讲厅", "健身房"}
    # Teams sit where they serve: the district's branch teams at the center, each town's own
    # at its institute, so an order escalated to an institute has somewhere to go.
    from server.volunteers import teams
    from server.volunteers.models import Team

    team_sites = dict(db.session.execute(select(Site.kind, func.count()).join(
        Team, Team.site_id == Site.id).group_by(Site.kind)).all())
    assert team_sites == {"center": 16, "institute": 12}
    for institute in db.session.scalars(select(Site).where(Site.kind == "institute")):
        usable = teams.usable_by(institute)
        assert any(t.site_id == institute.id and t.members for t in usable)
        assert sum(t.site_id == institute.parent_id for t in usable) == 16
    rhythm = _rhythm(db)
    again = runner.invoke(args=["demo", "load"])
    assert _rhythm(db) == rhythm
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


def _rhythm(db) -> tuple[int, ...]:
    """The demo's year of rhythm is there; its counts, to compare after loading again."""
    from server.activities.models import Activity, ActivitySignup, MonthlyTheme
    from server.honors.models import Honoree
    from server.projects.models import FeaturedProject, ProjectClaim
    from server.rooms.models import Room, RoomBooking

    db.session.rollback()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Activity) > 150 * 52  # every station every Friday for a year, and more
    assert set(db.session.scalars(select(Activity.brand).distinct())) == {
        "理响巴蜀", "德耀巴蜀", "文润天府", "风新四川", "情暖万家"}
    assert count(MonthlyTheme) >= 13 and count(FeaturedProject) == 12
    assert count(ProjectClaim) > 12 * 6 and count(Honoree) >= 30
    assert count(Room) == 18 and count(RoomBooking) > 20 and count(ActivitySignup) > 0
    zones = set(db.session.scalars(select(Room.zone).distinct()))
    assert zones == {"理论宣讲", "市民教育", "文化活动", "科普宣传", "健身活动"}
    return (count(Activity), count(ProjectClaim), count(RoomBooking), count(ActivitySignup),
            count(Honoree))
