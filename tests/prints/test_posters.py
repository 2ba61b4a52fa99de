"""The print shop's posters: printed PDF, rasterised like a print, photographed badly, then
decoded and verified."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import server.prints.fonts
from qr import decode, verify
from qr.tokens import code_url
from server.prints import FontError, Poster, PrintError, find_cjk_font, posters_pdf
from tests.fixtures.qr_keys import BASE, NOW
from tests.imaging import photograph, rasterise_pdf


def _poster(url: str, **kw) -> Poster:
    fields = dict(
        title="昭化区图书馆",
        address="广元市昭化区元坝镇昭化大道88号",
        instruction="微信或相机扫码 · 点单 · 签到",
        url=url,
        version_label="码版本 v3",
        short_code="ZH-0042-3",
        subtitle="昭化区新时代文明实践中心",
    )
    return Poster(**{**fields, **kw})


@pytest.mark.parametrize("size, dpi", [("A4", 100), ("A6", 200)])
def test_poster_print_photo_decode_verify(make_token, keyring, tmp_path, size, dpi):
    urls = [code_url(BASE, make_token(subject=s)) for s in ("42", "151")]
    pdf = posters_pdf(
        [_poster(urls[0]), _poster(urls[1], title="太平村新时代文明实践站", subtitle=None)], size
    )
    assert pdf.startswith(b"%PDF")
    pages = rasterise_pdf(pdf, tmp_path, dpi)
    assert len(pages) == 2
    rng = np.random.default_rng(7)
    for page, url in zip(pages, urls, strict=True):
        [found] = decode(photograph(page, rng))
        assert found.text == url
        assert verify(found.text, keyring, base_url=BASE, now=NOW).subject in {"42", "151"}


def test_pdf_embeds_a_cjk_truetype_subset(make_token):
    pdf = posters_pdf([_poster(code_url(BASE, make_token()))])
    assert b"/FontFile2" in pdf  # embedded TrueType program, not a reference to a system font
    assert posters_pdf([_poster(code_url(BASE, make_token()))]) == pdf  # reproducible bytes


def test_pdf_text_is_extractable_chinese(make_token, tmp_path):
    src = tmp_path / "p.pdf"
    src.write_bytes(posters_pdf([_poster(code_url(BASE, make_token()))], "A6"))
    text = subprocess.run(
        ["pdftotext", str(src), "-"], check=True, capture_output=True, text=True
    ).stdout
    for words in ("昭化区图书馆", "元坝镇", "ZH-0042-3", "码版本 v3", "zhaohua.example.org"):
        assert words in text


def test_missing_font_raises_font_error(monkeypatch, tmp_path, make_token):
    monkeypatch.setattr(server.prints.fonts, "FONT_SEARCH_PATHS", [tmp_path])
    monkeypatch.delenv("QR_CJK_FONT", raising=False)
    with pytest.raises(FontError, match="fonts-wqy-zenhei"):
        find_cjk_font()
    with pytest.raises(FontError):
        posters_pdf([_poster(code_url(BASE, make_token()))])


def test_cff_only_font_is_not_accepted(monkeypatch, tmp_path):
    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    monkeypatch.setattr(server.prints.fonts, "FONT_SEARCH_PATHS", [noto, tmp_path])
    monkeypatch.delenv("QR_CJK_FONT", raising=False)
    with pytest.raises(FontError):
        find_cjk_font()


def test_glyphs_missing_from_font_raise_instead_of_tofu(make_token):
    with pytest.raises(FontError, match="no glyphs"):
        posters_pdf([_poster(code_url(BASE, make_token()), title="图书馆 \U0001f600\U00013000")])


def test_bad_sizes_and_empty_batch(make_token):
    with pytest.raises(PrintError):
        posters_pdf([], "A4")
    with pytest.raises(PrintError):
        posters_pdf([_poster(code_url(BASE, make_token()))], "Letter")  # type: ignore[arg-type]
