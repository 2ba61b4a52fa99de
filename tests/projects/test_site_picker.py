"""A featured project's unit is chosen by name among the units of the admin's subtree."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import csrf_token_in
from tests.pages import site_picker_options, visible
from tests.site_pickers import LOWER_ADMINS, NO_SUCH_SITE, NOT_A_UNIT, check_unit_picker

ONE_CLAIMANT = "请选择认领的单位或志愿服务队伍。"


@LOWER_ADMINS
def test_the_project_form_picks_a_unit(client, db, network, admin_session, create_site,
                                       role, home):
    from server.projects.models import FeaturedProject

    west_point = create_site("point", "西村书屋", network["west_station"])
    admin_session(role, network[home])
    fields = {"name": "邻里互助", "brand": "情暖万家", "content_area": "培育践行主流价值",
              "description": "", "team_id": ""}
    made = check_unit_picker(client, "/admin/projects/", fields, network, west_point)
    assert made.status_code == 302
    db.session.rollback()
    assert db.session.scalars(select(FeaturedProject.site_id)).all() == [
        network["east_station"].id]
    assert db.session.scalar(select(func.count()).select_from(FeaturedProject)) == 1


@LOWER_ADMINS
def test_a_claim_names_a_unit_by_name_or_a_team(client, db, network, admin_session,
                                                create_site, role, home):
    """The board's claim form: a unit of one's subtree from the picker, or a volunteer group;
    exactly one. A refusal is said on the board (the board's way) and writes nothing."""
    from server.projects import operations as ops
    from server.projects.models import ProjectClaim
    from server.volunteers.teams import create_team

    project = ops.create_project(name="“金妈妈”", site=network["center"], brand="情暖万家",
                                 content_area="培育践行主流价值", actor="test")
    create_team("测试区志愿服务总队", network["center"], is_general=True)
    db.session.flush()
    team = create_team("东村巾帼志愿队", network["east_station"])
    db.session.commit()
    west_point = create_site("point", "西村书屋", network["west_station"])
    admin_session(role, network[home])
    page = client.get("/admin/projects/board").get_data(as_text=True)
    offered = site_picker_options(page, "claimant_site")
    assert "东村新时代文明实践站" in offered and "东村图书室" not in offered
    assert "西村新时代文明实践站" not in offered
    token = csrf_token_in(page)

    def claim(site="", team_id=""):
        answer = client.post("/admin/projects/board/claim", data={
            "csrf_token": token, "project_id": str(project.id), "claimant_site": str(site),
            "claimant_team": str(team_id), "plan": "周五辅导", "sessions_planned": "1"})
        assert answer.status_code == 302
        return visible(client.get(answer.headers["Location"]).get_data(as_text=True))

    assert NOT_A_UNIT in claim(network["library"].id)
    for elsewhere in (network["west_station"].id, west_point.id):
        assert NO_SUCH_SITE in claim(elsewhere)
    assert ONE_CLAIMANT in claim()
    assert ONE_CLAIMANT in claim(network["east_station"].id, team.id)  # both: which one?
    db.session.rollback()
    assert db.session.query(ProjectClaim).count() == 0
    claim(network["east_station"].id)
    claim(team_id=team.id)
    db.session.rollback()
    claims = db.session.query(ProjectClaim).all()
    assert {(c.claimant_site_id, c.claimant_team_id) for c in claims} == {
        (network["east_station"].id, None), (None, team.id)}
