"""Bulk work from the volunteer list: deactivate or print the selected, without JavaScript
in one post (asked first, then a summary) or in the page script's chunks (JSON, one PDF per
chunk); whatever is left out is named with its reason; only volunteers the admin manages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from server.core.audit import AuditEvent
from server.volunteers import operations as ops
from server.volunteers.models import Volunteer
from tests.conftest import csrf_token_in
from tests.fixtures.kiosk import written


@pytest.fixture
def people(db, create_volunteer):
    here = [create_volunteer(name=f"东村{i}") for i in range(3)]
    off = create_volunteer(name="已停用")
    ops.set_active(off, False)
    west = create_volunteer(name="西村人", site="west_station")
    db.session.commit()
    return {"here": [v.number for v in here], "off": off.number, "west": west.number}


def _token(client):
    return csrf_token_in(client.get("/admin/volunteers/").get_data(as_text=True))


def _active(db, number):
    db.session.rollback()
    return db.session.scalar(select(Volunteer.is_active).where(Volunteer.number == number))


def test_deactivate_the_selected_asks_first_then_says_what_was_left_out(client, db, people,
                                                                       east_admin, login):
    login(east_admin)
    page = client.get("/admin/volunteers/").get_data(as_text=True)
    assert 'form="bulk-volunteers"' in page and "js/bulk.js" in page
    numbers = [*people["here"][:2], people["off"], people["west"], "X" * 3000,
               people["here"][0].lower()]  # typed again, in lower case: once
    form = {"csrf_token": csrf_token_in(page), "action": "deactivate", "number": numbers}
    asked = client.post("/admin/volunteers/bulk", data=form)
    assert asked.status_code == 200 and 'role="alertdialog"' in asked.get_data(as_text=True)
    assert "停用 5 名志愿者" in asked.get_data(as_text=True)
    assert _active(db, people["here"][0])
    done = client.post("/admin/volunteers/bulk", data={**form, "confirmed": "1"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "已停用 2 名志愿者" in html
    assert "未列入（3）" in html and "已经是停用状态" in html
    assert html.count("在您管理的志愿者中没有这个编号") == 2  # the other town's, the forgery
    assert not _active(db, people["here"][0]) and not _active(db, people["here"][1])
    assert _active(db, people["here"][2]) and _active(db, people["west"])
    assert ops.volunteer_code(db.session.scalar(select(Volunteer).where(
        Volunteer.number == people["here"][0]))) is None  # the card stops working
    entries = db.session.scalars(select(AuditEvent.target_id).where(
        AuditEvent.action == "volunteer.deactivate", AuditEvent.actor == "east")).all()
    assert len(entries) == 2


def test_the_scripts_chunks_are_answered_in_json(client, db, people, east_admin, login):
    login(east_admin)
    answer = client.post("/admin/volunteers/bulk", data={
        "csrf_token": _token(client), "action": "deactivate", "confirmed": "1", "reply": "json",
        "number": [people["here"][2], people["west"]]})
    assert answer.status_code == 200
    assert answer.get_json() == {"done": [people["here"][2]], "skipped": [
        {"number": people["west"], "reason": "not_found",
         "text": "在您管理的志愿者中没有这个编号。"}]}


def test_print_the_selected_says_first_who_is_left_out(client, db, people, east_admin, login):
    login(east_admin)
    form = {"csrf_token": _token(client), "action": "print",
            "number": [people["here"][0], people["off"], people["west"]]}
    first = client.post("/admin/volunteers/bulk", data=form)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and first.mimetype == "text/html"
    assert "可打印 1 张证卡" in html and "证卡服务码已作废" in html
    pdf = client.post("/admin/volunteers/bulk", data={**form, "skipped_ok": "1"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    chunk = client.post("/admin/volunteers/bulk", data={**form, "reply": "json"})
    assert chunk.data.startswith(b"%PDF") and chunk.headers["X-Bulk-Done"] == "1"
    assert {s["reason"] for s in json.loads(chunk.headers["X-Bulk-Skipped"])} == {
        "inactive", "not_found"}
    nothing = client.post("/admin/volunteers/bulk", data={**form, "reply": "json",
                                                         "number": [people["west"]]})
    assert nothing.get_json()["done"] == [] and nothing.status_code == 200


@pytest.mark.parametrize(("fields", "code"), [
    ({"action": "deactivate", "number": []}, "nothing_selected"),
    ({"action": "deactivate", "number": [f"N{i}" for i in range(501)]}, "too_many"),
    ({"action": "delete", "number": ["X"]}, "invalid_action"),
    ({"number": ["X"]}, "invalid_action"),
])
def test_bad_requests_are_refused_in_words(client, db, people, east_admin, login, fields,
                                           code):
    login(east_admin)
    refused = client.post("/admin/volunteers/bulk",
                          data={"csrf_token": _token(client), "reply": "json", **fields})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == code
    page = client.post("/admin/volunteers/bulk", data={"csrf_token": _token(client), **fields})
    assert page.status_code == 400 and 'role="alert"' in page.get_data(as_text=True)
    assert _active(db, people["here"][0])


def test_without_a_token_nothing_happens(client, db, people, east_admin, login):
    login(east_admin)
    refused = client.post("/admin/volunteers/bulk", data={
        "action": "deactivate", "confirmed": "1", "number": people["here"]})
    assert refused.status_code == 400
    assert _active(db, people["here"][0])


def _members(db, team) -> set[str]:
    from server.volunteers.models import TeamMember

    db.session.rollback()
    return set(db.session.scalars(select(Volunteer.number).join(
        TeamMember, TeamMember.volunteer_id == Volunteer.id).where(
        TeamMember.team_id == team.id)))


def test_add_the_selected_to_a_team_and_take_them_out(client, db, people, east_admin, login,
                                                      branch):
    from server.volunteers import teams

    login(east_admin)
    page = client.get("/admin/volunteers/").get_data(as_text=True)
    assert 'name="team_id"' in page and branch.name in page
    token = csrf_token_in(page)
    numbers = [*people["here"][:2], people["off"], people["west"]]
    done = client.post("/admin/volunteers/bulk", data={
        "csrf_token": token, "action": "join", "team_id": str(branch.id), "number": numbers})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and f"2 名志愿者已加入“{branch.name}”" in html
    assert "已停用，不能加入队伍" in html and "在您管理的志愿者中没有这个编号" in html
    assert _members(db, branch) == set(people["here"][:2])

    # Again, in the script's JSON: the two are members already; a third joins.
    again = client.post("/admin/volunteers/bulk", data={
        "csrf_token": token, "action": "join", "team_id": str(branch.id), "reply": "json",
        "number": people["here"]})
    assert again.get_json()["done"] == [people["here"][2]]
    assert [s["reason"] for s in again.get_json()["skipped"]] == ["already_member"] * 2

    # The leader stays (removing one is asked first, on the team's page); the others leave.
    with written(db):
        leader = db.session.scalar(select(Volunteer).where(
            Volunteer.number == people["here"][0]))
        teams.set_leader(db.session.get(type(branch), branch.id), leader)
    left = client.post("/admin/volunteers/bulk", data={
        "csrf_token": token, "action": "leave", "team_id": str(branch.id), "reply": "json",
        "number": [*people["here"], people["west"]]})
    assert left.get_json()["done"] == people["here"][1:]
    assert [s["reason"] for s in left.get_json()["skipped"]] == ["not_found", "leader"]
    assert _members(db, branch) == {people["here"][0]}
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "team.leave", AuditEvent.actor == "east")) == 2


def test_a_team_must_be_one_the_admin_may_name_and_not_the_general_one_to_leave(
        client, db, people, east_admin, login, general, network):
    from server.volunteers import teams

    west_team = teams.create_team("西村分队", network["west"])
    db.session.commit()
    login(east_admin)
    token = _token(client)
    for action, team_id, status, text in (
            ("join", str(west_team.id), 404, "没有这支队伍"),
            ("join", "", 404, "没有这支队伍"),
            ("join", "9" * 40, 404, "没有这支队伍"),
            ("leave", str(general.id), 400, "总队")):
        answer = client.post("/admin/volunteers/bulk", data={
            "csrf_token": token, "action": action, "team_id": team_id,
            "number": people["here"][:1]})
        assert answer.status_code == status, (action, team_id)
        assert text in answer.get_data(as_text=True), (action, team_id)
    assert _members(db, west_team) == set()
