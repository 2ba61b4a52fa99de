"""Key rotation and retirement rehearsed end to end, a real kiosk against the real server over
HTTP: a new signing key, the kiosk refreshes its key list, codes of the old key keep verifying
(offline on the kiosk and on the server) until that key is retired, then both refuse them."""

from __future__ import annotations

from sqlalchemy import select

from tests.fixtures.kiosk import written


def _server_says(app, url: str):
    answer = app.test_client().post("/api/v1/codes/resolve", json={"text": url})
    body = answer.get_json()
    return answer.status_code, body.get("error", {}).get("code") if answer.status_code != 200 \
        else body["type"]


def test_rotate_refresh_then_retire(app, db, kiosk, make_volunteers, runner):
    from server.codes import keys
    from server.codes.models import SigningKeyRecord

    (_, old_name, old_url), = make_volunteers(1, names=("张明华",))
    db.session.rollback()
    first = db.session.scalar(select(SigningKeyRecord.kid).where(SigningKeyRecord.is_current))

    # 1. A new signing key; the old one keeps verifying what it signed.
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    (_, new_name, new_url), = make_volunteers(1, names=("李秀英",))
    db.session.rollback()
    second = db.session.scalar(select(SigningKeyRecord.kid).where(SigningKeyRecord.is_current))
    assert second != first
    assert _server_says(app, old_url) == (200, "volunteer")
    assert _server_says(app, new_url) == (200, "volunteer")

    # 2. The kiosk does not know the new key yet: it refuses the new card and asks for keys.
    kiosk.sign(new_url)
    assert not kiosk.screen.result.ok and kiosk.refresh_due
    kiosk.sync.once()  # refresh: the key list now holds both
    assert {k["kid"] for k in kiosk.store.get("keys")} >= {first, second}
    kiosk.sign(new_url)
    assert kiosk.screen.result.ok and kiosk.screen.result.name == new_name
    kiosk.sign(old_url)  # the old key still verifies offline
    assert kiosk.screen.result.ok and kiosk.screen.result.name == old_name

    # 3. The old key is retired: the server refuses its codes at once, the kiosk after its
    # next refresh (the key list marks it retired).
    result = runner.invoke(args=["keys", "retire", first])
    assert result.exit_code == 0, result.output
    assert _server_says(app, old_url) == (410, "code_retired_key")
    assert _server_says(app, new_url) == (200, "volunteer")
    kiosk.sync.refresh()
    retired = [k for k in kiosk.store.get("keys") if k["kid"] == first]
    assert retired and retired[0].get("retired") is True
    kiosk.sign(old_url)
    assert not kiosk.screen.result.ok
    kiosk.sign(new_url)
    assert kiosk.screen.result.ok

    # 4. A retired key's volunteer gets a new card, signed with the current key.
    from server.codes.operations import code_url
    from server.volunteers import operations as vops
    from server.volunteers.models import Volunteer

    with written(db):
        person = db.session.scalar(select(Volunteer).where(Volunteer.name == "张明华"))
        fresh_url = code_url(vops.reissue_code(person, "签名密钥已停用"))
    assert _server_says(app, fresh_url) == (200, "volunteer")
    kiosk.sync.refresh()
    kiosk.sign(fresh_url)
    assert kiosk.screen.result.ok and kiosk.screen.result.name == old_name
    assert keys.current_record().kid == second
