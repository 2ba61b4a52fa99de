"""Typing the short code printed under a poster's QR: what people and input methods produce."""

from __future__ import annotations

import pytest

from server.codes.operations import short_code_candidates


@pytest.mark.parametrize("typed", [
    "ZH-0165-1", "ZH01651", "ZH 0165 1", "ZH－0165－1", "ＺＨ－０１６５－１", "zh-0165-1",
    " zh 0165-1 ", "ZH—0165—1", "ZH–0165–1", "ZH−0165−1", "ZH一0165一1", "ZH‐0165‐1",
    "ZH\u30000165\u30001", "ZH-01651", "ZH0165-1", "0165-1", "ZH-165-1",
])
def test_what_people_type_means_the_printed_code(typed):
    assert short_code_candidates(typed) == ["ZH-0165-1"]


def test_a_long_run_of_digits_names_every_code_it_can_mean():
    # Site 12345 version 1, or site 1234 version 51: the lookup takes the one that exists.
    assert short_code_candidates("ZH123451") == ["ZH-1234-51", "ZH-12345-1"]
    assert short_code_candidates("ZH01650") == []  # a version never starts with 0
    assert short_code_candidates("ZH-0042-12") == ["ZH-0042-12"]


@pytest.mark.parametrize("typed", ["", "ZH", "ZH-", "ZH-0165", "hello", "ZH-01-65-1", "ZH/0165/1",
                                   "Z" * 65, None, 42, "ZH-0165-1" + "1" * 60, "١٦٥"])
def test_anything_else_means_no_code(typed):
    assert short_code_candidates(typed) == []


def test_the_manual_entry_page_finds_the_code_however_typed(client, coded):
    short = coded["library"].short_code  # ZH-<4 digits>-1
    _, site, version = short.split("-")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in f"ZH-{site}-{version}")
    for typed in (short, f"ZH{site}{version}", f"ZH {site} {version}", f"zh－{site}－{version}",
                  full_width):
        response = client.get("/s/", query_string={"code": typed})
        assert response.status_code == 302, typed
        assert client.get(response.headers["Location"]).status_code == 200
    for typed in ("ZH-9999-9", "ZH" + "9" * 30, "<script>", "ZH-0001-" + "9" * 9):
        response = client.get("/s/", query_string={"code": typed})
        assert response.status_code == 404, typed
        assert "没有找到这个编号的服务码" in response.get_data(as_text=True)
