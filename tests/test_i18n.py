"""Simplified Chinese by default, English on request, and a complete Chinese catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "server/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def test_default_is_chinese_and_english_is_a_click_away(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录管理后台" in page and 'lang="zh-Hans"' in page
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Log in to the dashboard" in page and 'lang="en"' in page


def test_language_switch_is_no_open_redirect(client):
    response = client.get("/lang/en?next=https://evil.example.com/")
    assert response.headers["Location"] == "/admin/"


def test_every_message_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(wanted - translated) == []
