"""The 一月一助 board: units and teams claim featured projects each month, once each; what was
delivered and the hours behind it; the month's completion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.fixtures.activities import form_token, moment


@pytest.fixture
def project(db, network):
    from server.projects import operations as ops

    made = ops.create_project(name="“金妈妈”", site=network["east"], brand="情暖万家",
                              content_area="培育践行主流价值",
                              description="结对留守儿童，周末辅导功课。", actor="test")
    db.session.commit()
    return made


def test_one_claim_per_claimant_and_month_then_delivery(db, network, project):
    from server.core.errors import DomainError
    from server.core.fields import next_month, this_month
    from server.core.timeutil import utcnow
    from server.projects import operations as ops

    month = this_month(utcnow())
    claim = ops.claim(project, month, site=network["east_station"], plan="周五辅导一次",
                      sessions_planned=2, actor="test")
    db.session.commit()
    with pytest.raises(DomainError) as twice:
        ops.claim(project, month, site=network["east_station"], plan="再来一次")
    assert twice.value.code == "already_claimed"
    db.session.rollback()
    ops.claim(project, month, site=network["west_station"], plan="另一站也认领")
    ops.claim(project, next_month(month), site=network["east_station"], plan="下月继续")
    db.session.commit()
    with pytest.raises(DomainError) as past:
        ops.claim(project, date(2020, 1, 1), site=network["east_station"], plan="补认领")
    assert past.value.code == "month_past"
    db.session.rollback()

    ops.report_delivery(claim, sessions_delivered=2, note="两次辅导，八个孩子", actor="test")
    db.session.commit()
    done = ops.completion([month, next_month(month)], network["center"])
    assert (done[0].claims, done[0].delivered, done[0].percent) == (2, 1, 50)
    assert (done[1].claims, done[1].delivered) == (1, 0)
    assert ops.completion([month], network["west"])[0].claims == 1  # the west's own


def test_the_hours_behind_a_claim_come_from_its_activities(db, network, project,
                                                           make_activity, make_volunteer):
    from server.activities.operations import local_month
    from server.activities.stats import claim_hours
    from server.projects import operations as ops
    from server.shifts.operations import sign

    start = moment(days=-1)
    month = local_month(start)
    claim = ops.claim(project, month, site=network["east"], plan="两场", now=start)
    mine = make_activity(site=network["east_station"], starts_at=start, project=project)
    make_activity(site=network["west_station"], starts_at=start, project=project)  # not ours
    for index, site in enumerate((network["east_station"], network["west_station"])):
        volunteer = make_volunteer(name=f"志愿者{index}")
        sign(volunteer, site, start, method="kiosk", verified=True, direction="in")
        sign(volunteer, site, start + timedelta(minutes=90), method="kiosk", verified=True,
             direction="out")
    db.session.commit()
    assert claim_hours([claim], month) == {claim.id: 1.5}
    assert mine.project_id == project.id


def test_the_board_page_claims_delivers_and_exports(client, db, network, project,
                                                    admin_session):
    from server.projects.models import ProjectClaim

    admin_session("institute_admin", network["east"])
    board = client.get("/admin/projects/board")
    assert board.status_code == 200 and "“金妈妈”" in board.get_data(as_text=True)
    token = form_token(client, "/admin/projects/board")
    claimed = client.post("/admin/projects/board/claim", data={
        "csrf_token": token, "project_id": str(project.id),
        "claimant_site": str(network["east_station"].id), "plan": "周五辅导",
        "sessions_planned": "2"})
    assert claimed.status_code == 302
    outside = client.post("/admin/projects/board/claim", data={
        "csrf_token": token, "project_id": str(project.id),
        "claimant_site": str(network["west_station"].id), "plan": "x",
        "sessions_planned": "1"})
    assert outside.status_code == 302  # refused with a message on the board, nothing written
    db.session.rollback()
    claim = db.session.query(ProjectClaim).one()
    assert claim.claimant_site_id == network["east_station"].id
    delivered = client.post(f"/admin/projects/claims/{claim.id}/deliver", data={
        "csrf_token": token, "sessions_delivered": "2", "delivered_note": "完成两次"})
    assert delivered.status_code == 302
    page = client.get("/admin/projects/board").get_data(as_text=True)
    assert "完成两次" in page and "100%" in page
    export = client.get("/admin/projects/board.csv").data.decode("utf-8-sig")
    assert "“金妈妈”" in export and "已完成" in export
