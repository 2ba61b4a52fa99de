"""Volunteer and team rules: validation, numbers, codes, scope, teams and leaders."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.codes import operations as codes
from server.core.errors import Conflict, NotFound, ValidationError
from server.volunteers import operations as ops
from server.volunteers import teams
from server.volunteers.models import TeamMember, Volunteer


def _count(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Volunteer))


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "138123456789", "23812345678",
                                   "1381234567a", "", "12812345678"])
def test_invalid_phone_is_refused_and_nothing_is_written(db, create_volunteer, phone):
    with pytest.raises(ValidationError) as refused:
        create_volunteer(phone=phone or " ")
    assert (refused.value.code, refused.value.field) == ("invalid_phone", "phone")
    assert _count(db) == 0


def test_phone_as_people_type_it_is_normalised(create_volunteer):
    assert create_volunteer(phone="+86 138-1234-5678").phone == "13812345678"


@pytest.mark.parametrize(("name", "code"), [("", "required"), ("   ", "required"),
                                            ("张" * 33, "too_long"), ("张\x00三", "invalid_name"),
                                            (42, "invalid_type")])
def test_bad_names_are_refused(db, create_volunteer, name, code):
    with pytest.raises(ValidationError) as refused:
        create_volunteer(name=name)
    assert refused.value.code == code
    assert _count(db) == 0


def test_a_32_character_name_is_fine(create_volunteer):
    assert len(create_volunteer(name="阿" * 32).name) == 32


def test_skills_are_short_deduplicated_tags(create_volunteer, db):
    assert create_volunteer(skills="急救、驾驶, 急救  摄影").skills == ["急救", "驾驶", "摄影"]
    with pytest.raises(ValidationError) as refused:
        create_volunteer(skills=["很长的技能" * 4])
    assert refused.value.code == "too_long"
    with pytest.raises(ValidationError):
        create_volunteer(skills=[str(i) for i in range(11)])


def test_numbers_are_sequential_per_year_and_never_reused(db, create_volunteer):
    first = create_volunteer()
    second = create_volunteer(name="李秀英")
    year = first.number[2:6]
    assert first.number == f"ZH{year}000001" and second.number == f"ZH{year}000002"
    ops.set_active(second, False)
    db.session.commit()
    # A departed volunteer's number is not handed out again, even if the row were gone.
    assert create_volunteer(name="王建国").number == f"ZH{year}000003"
    assert ops.next_number(2031) == "ZH2031000001"


def test_duplicate_number_is_impossible_in_the_database(db, create_volunteer, network):
    first = create_volunteer()
    db.session.add(Volunteer(number=first.number, name="重号", phone="13900001111",
                             home_site_id=network["east"].id))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_home_site_must_be_active_and_managed(db, create_volunteer, network, east_admin):
    with pytest.raises(ValidationError) as refused:  # as if the site were not there
        ops.create_volunteer(name="张三", phone="13800000000", site=network["west_station"],
                             actor=east_admin)
    assert refused.value.code == "site_required"
    from server.sites import operations as sites

    sites.set_active(network["library"], False)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        create_volunteer(site="library")
    assert refused.value.code == "site_inactive"
    assert _count(db) == 0


def test_new_volunteer_joins_the_general_team_and_gets_a_code(create_volunteer, general):
    volunteer = create_volunteer()
    assert [m.team_id for m in volunteer.memberships] == [general.id]
    code = ops.volunteer_code(volunteer)
    assert (code.type, code.subject, code.version) == ("volunteer", volunteer.number, 1)


def test_lost_card_reissue_revokes_the_old_code(db, app, create_volunteer):
    volunteer = create_volunteer()
    old = ops.volunteer_code(volunteer)
    old_url = codes.code_url(old)
    with pytest.raises(ValidationError) as refused:
        ops.reissue_code(volunteer, "  ")
    assert refused.value.code == "reason_required"
    new = ops.reissue_code(volunteer, "卡片丢失")
    db.session.commit()
    assert new.version == 2 and ops.volunteer_code(volunteer).id == new.id
    with app.test_request_context():
        with pytest.raises(codes.CodeRejected) as rejected:
            codes.resolve(old_url, expected_type="volunteer", source="kiosk")
        assert rejected.value.reason == "revoked"
        assert codes.resolve(codes.code_url(new), expected_type="volunteer").id == new.id


def test_deactivation_withdraws_the_code_and_logs_out(db, create_volunteer):
    volunteer = create_volunteer()
    epoch = volunteer.session_epoch
    ops.set_active(volunteer, False)
    db.session.commit()
    assert ops.volunteer_code(volunteer) is None and volunteer.session_epoch == epoch + 1
    with pytest.raises(ValidationError):
        ops.reissue_code(volunteer, "丢失")
    ops.set_active(volunteer, True)
    db.session.commit()
    assert ops.volunteer_code(volunteer).version == 2


def test_update_checks_every_field_and_audits_no_personal_data(db, create_volunteer):
    from server.core.audit import AuditEvent

    volunteer = create_volunteer()
    with pytest.raises(ValidationError):
        ops.update_volunteer(volunteer, phone="123")
    with pytest.raises(ValidationError) as refused:
        ops.update_volunteer(volunteer, number="ZH1")
    assert refused.value.code == "not_editable"
    db.session.rollback()
    ops.update_volunteer(volunteer, phone="13700001234", name="张明")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "volunteer.update"))
    assert event.details == {"changed": {"phone": True, "name": True}}
    assert "13700001234" not in str(event.details)


def test_masking(create_volunteer):
    volunteer = create_volunteer(name="欧阳明华", phone="13812345678")
    assert volunteer.masked_phone == "138****5678"
    assert volunteer.masked_name == "欧**华"


def test_exactly_one_general_team(db, general, network):
    with pytest.raises(Conflict):
        teams.create_team("另一个总队", network["center"], is_general=True)
    db.session.rollback()
    from server.volunteers.models import Team

    db.session.add(Team(name="第二总队", is_general=True, site_id=network["center"].id))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_branch_team_needs_the_general_team(db, network):
    with pytest.raises(ValidationError) as refused:
        teams.create_team("应急救援志愿服务分队", network["center"])
    assert refused.value.code == "no_general_team"


def test_duplicate_team_name_refused(db, branch, network):
    with pytest.raises(Conflict):
        teams.create_team("应急救援志愿服务分队", network["east"])


def test_members_and_one_leader(db, branch, create_volunteer):
    a, b = create_volunteer(), create_volunteer(name="李秀英")
    teams.add_member(branch, a)
    teams.add_member(branch, a)  # again: a no-op
    with pytest.raises(ValidationError) as refused:
        teams.set_leader(branch, b)
    assert refused.value.code == "not_a_member"
    teams.add_member(branch, b)
    teams.set_leader(branch, a)
    teams.set_leader(branch, b)
    db.session.commit()
    assert teams.leader(branch).volunteer_id == b.id
    assert db.session.scalar(select(func.count()).select_from(TeamMember).where(
        TeamMember.team_id == branch.id)) == 2
    # The database itself refuses a second leader.
    teams.membership(branch, a).is_leader = True
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    teams.remove_member(branch, b)
    db.session.commit()
    assert teams.leader(branch) is None
    with pytest.raises(NotFound):
        teams.remove_member(branch, b)


def test_general_team_membership_cannot_be_removed(db, general, create_volunteer):
    volunteer = create_volunteer()
    with pytest.raises(ValidationError) as refused:
        teams.remove_member(general, volunteer)
    assert refused.value.code == "general_membership"


def test_deactivated_volunteer_cannot_join_or_lead(db, branch, create_volunteer):
    volunteer = create_volunteer()
    teams.add_member(branch, volunteer)
    ops.set_active(volunteer, False)
    with pytest.raises(ValidationError):
        teams.set_leader(branch, volunteer)
    other = create_volunteer(name="李秀英")
    ops.set_active(other, False)
    with pytest.raises(ValidationError):
        teams.add_member(branch, other)


def test_search_is_scoped_to_the_subtree(db, create_volunteer, network):
    create_volunteer(name="东村甲", site="east_station")
    create_volunteer(name="图书室乙", site="library")
    create_volunteer(name="西村丙", site="west_station")
    rows, total = ops.search(network["east"])
    assert total == 2 and {v.name for v in rows} == {"东村甲", "图书室乙"}
    rows, total = ops.search(network["east"], site=network["west_station"])
    assert total == 2  # a foreign site filter cannot widen the scope
    rows, total = ops.search(network["center"], "西村")
    assert [v.name for v in rows] == ["西村丙"]
    rows, total = ops.search(network["center"], "100%_")
    assert total == 0
