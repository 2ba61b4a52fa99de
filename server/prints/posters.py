"""Printable A4 posters and A6 stickers for point codes, in one PDF with a vector QR."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from qr.render import matrix, runs

from .errors import FontError, PrintError
from .fonts import FontFile, find_cjk_font, register_font

__all__ = ["Poster", "posters_pdf"]

_RED = (0.72, 0.07, 0.09)  # the red of civilization-practice signage; white on it is ~7:1 contrast
_INK = (0.0, 0.0, 0.0)
_GREY = (0.2, 0.2, 0.2)  # still > 12:1 on white: secondary text must stay readable for older eyes


@dataclass(frozen=True)
class Poster:
    """The words and code printed on one poster."""

    title: str
    address: str
    instruction: str
    url: str
    version_label: str
    short_code: str
    subtitle: str | None = None


def _check_glyphs(posters: Sequence[Poster], covered: frozenset[int], font: FontFile) -> None:
    # reportlab would silently draw .notdef boxes ("tofu") for these; refuse instead.
    fields = ("title", "address", "instruction", "version_label", "short_code", "subtitle")
    text = "".join(getattr(p, f) or "" for p in posters for f in fields) + _LABELS
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in covered})
    if missing:
        raise FontError(f"font {font.path} has no glyphs for: {''.join(missing)}")


_LABELS = "文明服务码手动输入"


class _Page:
    """Drawing helpers in A4 points; A6 pages are the same layout scaled by one half."""

    def __init__(self, canvas, font: str, width: float) -> None:
        self.c, self.font, self.width = canvas, font, width

    def text_width(self, text: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(text, self.font, size)

    def wrap(self, text: str, size: float, max_width: float) -> list[str]:
        # CJK breaks between any two characters; good enough for names and addresses.
        lines, line = [], ""
        for ch in text:
            if line and self.text_width(line + ch, size) > max_width:
                lines.append(line)
                line = ch.lstrip()
            else:
                line += ch
        return [*lines, line] if line else lines

    def fit(self, text: str, size: float, min_size: float, max_width: float, max_lines: int):
        """Largest size from ``size`` down to ``min_size`` at which text fits in max_lines lines."""
        while size > min_size and len(self.wrap(text, size, max_width)) > max_lines:
            size -= 2
        return size, self.wrap(text, size, max_width)

    def centred(self, text: str, y: float, size: float, color=_INK, bold: bool = False) -> None:
        # q/Q around each line: PDF text render mode and stroke width outlive the text object.
        self.c.saveState()
        t = self.c.beginText()
        t.setFont(self.font, size)
        t.setFillColorRGB(*color)
        if bold:
            # One weight ships with WenQuanYi; stroking the outline too gives a legible bold.
            self.c.setStrokeColorRGB(*color)
            self.c.setLineWidth(size * 0.035)
            t.setTextRenderMode(2)
        t.setTextOrigin((self.width - self.text_width(text, size)) / 2, y)
        t.textLine(text)
        self.c.drawText(t)
        self.c.restoreState()


def draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """Vector QR: one filled path of module runs, quiet zone of 4 modules included in ``size``."""
    mods = matrix(text)
    n = len(mods) + 8
    m = size / n
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    path = canvas.beginPath()
    top = y + size - 4 * m
    for row, col, length in runs(mods):
        path.rect(x + (col + 4) * m, top - (row + 1) * m, length * m, m)
    canvas.setFillColorRGB(*_INK)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_poster(page: _Page, p: Poster, height: float) -> None:
    c, w = page.c, page.width
    margin = 40
    inner = w - 2 * margin
    # Header band: programme name and organiser, white on red as on the district's signage.
    band = 120
    c.setFillColorRGB(*_RED)
    c.rect(0, height - band, w, band, stroke=0, fill=1)
    page.centred("文明服务码", height - 58, 40, color=(1, 1, 1), bold=True)
    if p.subtitle:
        size, lines = page.fit(p.subtitle, 24, 14, inner, 1)
        page.centred(lines[0], height - 98, size, color=(1, 1, 1))
    # The site's name is what a resident checks against where they stand: biggest text on the page.
    y = height - band - 62
    size, lines = page.fit(p.title, 56, 30, inner, 2)
    for line in lines[:2]:
        page.centred(line, y, size, bold=True)
        y -= size * 1.18
    size, lines = page.fit(p.address, 24, 16, inner, 2)
    for line in lines[:2]:
        page.centred(line, y + 6, size, color=_GREY)
        y -= size * 1.3
    # The code takes whatever height is left above the footer, capped at the text width.
    footer = 170
    qr_size = min(inner - 40, y - footer - 24)
    draw_qr(c, p.url, (w - qr_size) / 2, y - qr_size, qr_size)
    host = urlsplit(p.url).hostname if "://" in p.url else None
    if host:
        # The printed domain lets a resident notice a sticker pointing somewhere else.
        page.centred(host.lower(), y - qr_size - 16, 16, color=_GREY)
    size, lines = page.fit(p.instruction, 30, 18, inner, 1)
    page.centred(lines[0], footer - 40, size, bold=True)
    c.setStrokeColorRGB(*_GREY)
    c.setLineWidth(1.5)
    c.line(margin, footer - 60, w - margin, footer - 60)
    page.centred(f"手动输入码  {p.short_code}", footer - 100, 30, bold=True)
    page.centred(p.version_label, footer - 134, 20, color=_GREY)


def posters_pdf(posters: Sequence[Poster], size: Literal["A4", "A6"] = "A4") -> bytes:
    """One page per poster, A4 posters or A6 stickers, in a single PDF."""
    from reportlab.lib.pagesizes import A4, A6
    from reportlab.pdfgen.canvas import Canvas

    if size not in ("A4", "A6"):
        raise PrintError(f"size must be 'A4' or 'A6', not {size!r}")
    if not posters:
        raise PrintError("no posters to print")
    font = find_cjk_font()
    name, covered = register_font(font)
    _check_glyphs(posters, covered, font)
    pagesize = A4 if size == "A4" else A6
    scale = pagesize[0] / A4[0]
    buf = io.BytesIO()
    # invariant=1: same input, same bytes (reproducible print files, stable tests).
    c = Canvas(buf, pagesize=pagesize, invariant=1, pageCompression=1)
    c.setTitle("文明服务码")
    for p in posters:
        c.saveState()
        c.scale(scale, scale)
        _draw_poster(_Page(c, name, A4[0]), p, A4[1])
        c.restoreState()
        c.showPage()
    c.save()
    return buf.getvalue()
