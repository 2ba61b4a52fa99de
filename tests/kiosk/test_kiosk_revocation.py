"""A withdrawn card is refused within seconds, not at the next minute's refresh: the kiosk polls
a cheap cursor while online; a sign refused after the screen said yes is told to the person for
a minute, never left as a standing "请管理员处理" on the public screen."""

from __future__ import annotations

from sqlalchemy import select

from tests.fixtures.kiosk import written


def _revoke_card(db, number: str) -> None:
    from server.codes import operations as codes

    with written(db):
        codes.revoke(codes.live_code("volunteer", number, lock=True), "卡片遗失")


def test_the_changes_cursor_moves_with_each_revocation(client, db, enroll_kiosk,
                                                       make_volunteers):
    headers = enroll_kiosk().headers
    before = client.get("/api/v1/kiosk/changes", headers=headers).get_json()
    (number, _, _), = make_volunteers(1)
    _revoke_card(db, number)
    after = client.get("/api/v1/kiosk/changes", headers=headers).get_json()
    assert after["revocation_cursor"] > before["revocation_cursor"]
    assert after["volunteer_cursor"] > before["volunteer_cursor"]
    assert client.get("/api/v1/kiosk/changes").status_code == 401


def test_a_withdrawn_card_is_refused_at_the_next_poll(kiosk, make_volunteers, db):  # noqa: F811
    (number, _, url), = make_volunteers(1)
    kiosk.sync.once()  # the full refresh: the card is good
    _revoke_card(db, number)
    kiosk.sync.once()  # a poll a few seconds later, long before the next full refresh
    kiosk.sign(url)
    result = kiosk.screen.result
    assert not result.ok and "撤销" in result.detail
    assert result.say == ["refused", "revoked_code"]


def test_a_refusal_after_a_yes_is_a_note_not_a_public_admin_banner(kiosk, make_volunteers,  # noqa: F811
                                                                   db):
    from server.volunteers import operations as vops
    from server.volunteers.models import Volunteer

    (number, name, url), = make_volunteers(1)
    kiosk.sync.once()
    kiosk.sign(url)  # accepted on screen
    with written(db):
        vops.set_active(db.session.scalar(select(Volunteer).where(Volunteer.number == number)),
                        False)
    kiosk.sync.push()
    status = kiosk.status()
    assert status["note"].startswith(name) and "没有被服务器接受" in status["note"]
