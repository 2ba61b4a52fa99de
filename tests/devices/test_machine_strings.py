"""No stored machine code reaches a person's eyes on the dashboard (issue 13, defect 5): each
gets words in both languages; the raw code may sit in a tooltip (a title attribute)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest


def visible(html: str) -> str:
    """The text a reader sees: no tags, no attribute values (tooltips), no scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_ledger_and_kiosk_pages_speak_in_words(client, db, network, create_admin, login,
                                               enroll_kiosk, create_volunteer, lang):
    from server.ledger import operations as ledger
    from server.shifts import operations as shifts

    kiosk = enroll_kiosk()
    volunteer, card = create_volunteer()
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    shifts.admin_entry(volunteer, network["library"], start, start + timedelta(hours=2),
                       "补录", actor="cli")
    ledger.adjust(volunteer, 5, "奖励", actor="cli")
    db.session.commit()
    kiosk.upload([{"key": "k1", "kind": "sign", "client_time": "2026-03-02T09:00:00+08:00",
                   "body": {"code": "https://evil.example/S/nothing"}}])
    client.get(f"/lang/{lang}")
    login(create_admin("district_admin", network["center"]))  # the language is kept
    ledger_page = visible(client.get("/admin/ledger/").get_data(as_text=True))
    for code in ("hours_issuance", "shift:", "adjustment:", " cli ", "system"):
        assert code not in ledger_page, code
    kiosks = visible(client.get("/admin/kiosks/").get_data(as_text=True))
    assert not re.search(r"(?<![\w-])sign(?![\w-])|code_\w+", kiosks)
    assert ("这不是本平台的服务码" in kiosks) == (lang != "en")  # the reader's language
    missing = visible(client.get("/admin/sites/999999").get_data(as_text=True))
    assert "site_not_found" not in missing
