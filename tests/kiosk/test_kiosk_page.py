"""The touchscreen page's endpoints, without a browser: state, presence code, preview, CLI."""

from __future__ import annotations

import pytest

import qr
import qr.presence
from kiosk.cli import parser
from kiosk.core import Kiosk
from kiosk.scanner import Scanner
from kiosk.ui import create_ui
from tests.fixtures.kiosk import empty_frame

BASE = "https://zhaohua.example.org"


@pytest.fixture
def unenrolled(tmp_path):
    k = Kiosk("http://127.0.0.1:9", tmp_path)
    yield k
    k.store.close()


def _enroll_by_hand(k: Kiosk) -> None:
    k.apply_enrollment({"device_id": 7, "secret": "s", "presence_secret": "c2VjcmV0",
                        "site": {"id": 1, "name": "区图书馆"}, "base_url": BASE,
                        "keys": [qr.SigningKey.generate().public_jwk()]})


def test_unenrolled_page_asks_for_the_enrollment_code(unenrolled):
    client = create_ui(unenrolled).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "请扫描登记码" in page and 'lang="zh-Hans"' in page
    state = client.get("/state.json").get_json()
    assert state["screen"] == "enroll" and state["result"] is None
    assert client.get("/presence.svg").status_code == 404
    dark = client.get("/preview.jpg")  # no frame yet: a dark placeholder, not a broken image
    assert dark.status_code == 200 and dark.mimetype == "image/jpeg"


def test_enrolled_page_shows_the_site_and_a_scannable_presence_code(unenrolled):
    _enroll_by_hand(unenrolled)
    scanner = Scanner(None, lambda text: None)
    scanner.process(empty_frame())
    client = create_ui(unenrolled, scanner).test_client()
    state = client.get("/state.json").get_json()
    assert state["screen"] == "idle" and state["site"] == "区图书馆"
    svg = client.get("/presence.svg")
    assert svg.mimetype == "image/svg+xml"
    url = unenrolled.presence_url()
    device, step, mac = qr.presence.parse_presence(url, BASE)
    assert device == 7
    qr.presence.check_presence(b"secret", device, step, mac)
    preview = client.get("/preview.jpg")
    assert preview.mimetype == "image/jpeg" and preview.data[:2] == b"\xff\xd8"


def test_state_waits_for_a_change(unenrolled):
    _enroll_by_hand(unenrolled)
    client = create_ui(unenrolled).test_client()
    version = client.get("/state.json").get_json()["version"]
    # Nothing happens: the long poll returns after its wait with the same version.
    assert client.get(f"/state.json?since={version}&wait=0.2").get_json()["version"] == version


def test_scans_on_a_revoked_kiosk_are_ignored(unenrolled):
    _enroll_by_hand(unenrolled)
    unenrolled.store.put(revoked=True)
    unenrolled.on_scan("anything")
    assert unenrolled.status()["screen"] == "revoked"
    assert unenrolled.store.count("pending") == 0


def test_enrollment_without_a_server_says_so(unenrolled):
    assert not unenrolled.enroll("HTTPS://ZHAOHUA.EXAMPLE.ORG/S/ABCDEFGHIJKLMNOP")
    assert unenrolled.status()["screen"] == "enroll"
    assert "登记没有成功" in unenrolled.screen.message


def test_cli_requires_server_data_dir_and_source(capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["--server", "http://x"])
    assert exit_.value.code == 2
    assert "--data-dir" in capsys.readouterr().err
    args = parser().parse_args(["--server", "http://x", "--data-dir", "d", "--source", "0"])
    assert args.port == 8800 and args.fps == 15.0
