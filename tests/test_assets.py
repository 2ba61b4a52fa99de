"""assets/: the stylesheets the UIs share are served from where they lie, and no template
carries an inline <style> block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.core import Kiosk
from kiosk.ui import create_ui

ROOT = Path(__file__).resolve().parents[1]


def test_no_template_carries_an_inline_style_block():
    templates = [p for folder in ("server", "kiosk") for p in (ROOT / folder).rglob("*.html")]
    assert templates
    inline = [str(p.relative_to(ROOT)) for p in templates
              if re.search(r"<style[\s>]", p.read_text(encoding="utf-8"), re.I)]
    assert inline == []


@pytest.mark.parametrize("name", ["app.css", "rhythm.css", "orders.css"])
def test_the_server_serves_the_web_stylesheets_from_assets(client, name):
    answer = client.get(f"/static/css/{name}")
    assert answer.status_code == 200 and answer.mimetype == "text/css"
    assert answer.get_data() == (ROOT / "assets" / "web" / "css" / name).read_bytes()
    answer.close()


def test_the_former_inline_styles_live_in_the_stylesheet_their_pages_link():
    css = (ROOT / "assets" / "web" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".ledger-total" in css and ".board .ticket" in css


def test_the_kiosk_serves_its_own_part_of_assets(tmp_path):
    kiosk = Kiosk("http://127.0.0.1:9", tmp_path)
    try:
        client = create_ui(kiosk).test_client()
        page = client.get("/").get_data(as_text=True)
        assert 'href="/assets/kiosk.css"' in page and 'href="/assets/idle.css"' in page
        for name in ("kiosk.css", "idle.css"):
            answer = client.get(f"/assets/{name}")
            assert answer.status_code == 200 and answer.mimetype == "text/css"
            assert answer.get_data() == (ROOT / "assets" / "kiosk" / name).read_bytes()
            answer.close()
        script = client.get("/static/kiosk.js")
        assert script.status_code == 200
        script.close()
    finally:
        kiosk.store.close()
