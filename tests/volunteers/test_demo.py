"""The demo volunteers: 300 over the district, 1 + 15 district teams and a team of each of the
12 towns, with leaders, live codes, repeatable."""

from __future__ import annotations

from sqlalchemy import func, select

from server.codes.models import ServiceCode
from server.core.db import writing
from server.demo.operations import load_district
from server.volunteers import logins, teams
from server.volunteers.demo import DEMO_PASSWORD
from server.volunteers.models import Team, TeamMember, Volunteer


def _load(db):
    with writing():
        added = load_district()
        db.session.commit()
    return added


def test_demo_volunteers_and_teams(db):
    added = _load(db)
    assert (added["volunteers"], added["teams"]) == (300, 28)
    assert db.session.scalar(select(func.count()).select_from(Team)) == 28
    general = teams.general_team()
    assert general.name == "昭化区新时代文明实践志愿服务总队" and len(general.members) == 300
    assert all(teams.leader(t) is not None for t in teams.all_teams())
    branch_counts = db.session.execute(
        select(TeamMember.volunteer_id, func.count()).join(Team)
        .where(Team.is_general.is_(False), Team.site_id == general.site_id)
        .group_by(TeamMember.volunteer_id)).all()
    assert len(branch_counts) == 300 and {n for _, n in branch_counts} <= {1, 2}
    # Each town's team holds the volunteers living in the town, and only them.
    for team in teams.all_teams():
        if team.site.kind == "institute":
            homes = {m.volunteer.home_site for m in team.members}
            assert homes and all(team.site.contains(site) for site in homes)
    live = db.session.scalar(select(func.count()).select_from(ServiceCode).where(
        ServiceCode.type == "volunteer", ServiceCode.revoked_at.is_(None)))
    assert live == 300
    sites = db.session.scalar(select(func.count(func.distinct(Volunteer.home_site_id))))
    assert sites > 100
    demo = logins.authenticate("ZH2024000001", DEMO_PASSWORD)
    assert demo is not None and demo.home_site.name == "元坝社区新时代文明实践站"
    names = list(db.session.scalars(select(Volunteer.name).order_by(Volunteer.number).limit(5)))

    again = _load(db)
    assert (again["volunteers"], again["teams"]) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 300
    assert names == list(db.session.scalars(select(Volunteer.name).order_by(Volunteer.number)
                                            .limit(5)))
