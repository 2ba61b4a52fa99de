"""The ``python -m qr`` command line through main(argv)."""

from __future__ import annotations

import json
from pathlib import Path

from qr import Keyring, to_png
from qr.cli import main
from tests.fixtures.qr_keys import BASE


def test_keygen_sign_verify(tmp_path: Path, capsys):
    pem = tmp_path / "k.pem"
    assert main(["keygen", "--out", str(pem), "--kid", "K7"]) == 0
    jwk = json.loads(capsys.readouterr().out)
    assert jwk["kid"] == "K7" and pem.stat().st_mode & 0o077 == 0
    keys = tmp_path / "keys.json"
    keys.write_text(Keyring.from_keys([jwk]).to_json())
    args = ["sign", "--key", str(pem), "--kid", "K7", "--type", "volunteer", "--subject", "V000123"]
    assert main([*args, "--version", "2", "--base-url", BASE]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("HTTPS://ZHAOHUA.EXAMPLE.ORG/S/")
    assert (
        main(["verify", url, "--keys", str(keys), "--base-url", BASE, "--type", "volunteer"]) == 0
    )
    out = capsys.readouterr().out
    assert "subject: V000123" in out and "code_id: volunteer:V000123:2" in out
    assert main(["verify", url, "--keys", str(keys), "--base-url", BASE, "--type", "point"]) == 1
    assert "wrong_type" in capsys.readouterr().out
    assert (
        main(
            [
                "verify",
                url[:-1] + ("A" if url[-1] != "A" else "B"),
                "--keys",
                str(keys),
                "--base-url",
                BASE,
            ]
        )
        == 1
    )
    assert "invalid:" in capsys.readouterr().out


def test_make_png_svg_then_decode_json(tmp_path: Path, capsys):
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    assert main(["make", "文明服务码 TEST", "-o", str(png)]) == 0
    assert main(["make", "TEST", "-o", str(svg)]) == 0
    assert svg.read_text().startswith("<svg")
    assert main(["make", "TEST", "-o", str(tmp_path / "c.gif")]) == 2
    bad = tmp_path / "bad.png"
    bad.write_bytes(to_png("X")[:40])
    blank = tmp_path / "blank.png"
    blank.write_bytes(to_png("X", scale=1, border=40))
    capsys.readouterr()
    assert main(["decode", "--json", str(png), str(bad), str(tmp_path / "missing.png")]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (
        lines[0]["path"] == str(png)
        and lines[0]["texts"] == ["文明服务码 TEST"]
        and lines[0]["ms"] >= 0
    )
    assert set(lines[1]) == {"path", "error"} and set(lines[2]) == {"path", "error"}
    assert main(["decode", "--json", str(png)]) == 0
    capsys.readouterr()
    assert main(["decode", str(png)]) == 0
    assert "文明服务码 TEST" in capsys.readouterr().out


def test_usage_errors(tmp_path: Path, capsys):
    assert (
        main(
            [
                "sign",
                "--key",
                str(tmp_path / "nope.pem"),
                "--type",
                "point",
                "--subject",
                "1",
                "--version",
                "1",
            ]
        )
        == 2
    )
    assert main(["verify", "X", "--keys", str(tmp_path / "nope.json")]) == 2
    bad = tmp_path / "keys.json"
    bad.write_text("[]")
    assert main(["verify", "X", "--keys", str(bad)]) == 2
