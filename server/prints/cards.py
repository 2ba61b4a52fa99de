"""Volunteer cards (85.6 × 54 mm, credit-card size): A4 sheets for batch printing, one PNG each.

The layout is computed once, in millimetres, as a list of drawing steps; reportlab (PDF, vector
QR) and Pillow (PNG) each only replay it, so the two outputs cannot drift apart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from qr.render import matrix

from .errors import FontError, PrintError
from .fonts import find_cjk_font, register_font
from .posters import draw_qr

__all__ = ["Card", "cards_pdf", "card_png", "CARD_W_MM", "CARD_H_MM"]

CARD_W_MM, CARD_H_MM = 85.6, 54.0
_PT = 72 / 25.4  # points per millimetre
_RED = (0.72, 0.07, 0.09)
_INK = (0.0, 0.0, 0.0)
_GREY = (0.2, 0.2, 0.2)
_WHITE = (1.0, 1.0, 1.0)
_HEADER = "文明服务码 · 志愿者证"
_BAND_MM = 10.0
_QR_MM = 38.0  # 57 modules with the quiet zone: about 0.67 mm a module, easy for a kiosk camera


@dataclass(frozen=True)
class Card:
    """What one volunteer card shows."""

    name: str
    number: str
    team: str
    url: str
    version_label: str = ""


@dataclass(frozen=True)
class _Text:
    x: float
    y: float  # baseline, millimetres from the card's bottom edge
    size: float  # points
    text: str
    color: tuple = _INK
    bold: bool = False


def _font():
    font = find_cjk_font()
    name, covered = register_font(font)
    return font, name, covered


def _width_mm(text: str, font_name: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font_name, size) / _PT


def _fit(text: str, font_name: str, size: float, min_size: float, width: float) -> float:
    while size > min_size and _width_mm(text, font_name, size) > width:
        size -= 0.5
    return size


def _wrap(text: str, font_name: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and _width_mm(line + ch, font_name, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def _layout(card: Card, font_name: str) -> list[_Text]:
    """The card's words; the red band and the QR are at fixed places (see _draw_*)."""
    left, column = 4.0, CARD_W_MM - _QR_MM - 5.5
    steps = [_Text(left, CARD_H_MM - _BAND_MM + 3.3, 9.5, _HEADER, _WHITE, bold=True)]
    y = CARD_H_MM - _BAND_MM - 9.5
    size = _fit(card.name, font_name, 20, 10, column)
    steps.append(_Text(left, y, size, card.name, bold=True))
    y -= 8.5
    steps.append(_Text(left, y, 6.5, "志愿者编号", _GREY))
    y -= 4.6
    size = _fit(card.number, font_name, 10.5, 6, column)
    steps.append(_Text(left, y, size, card.number, bold=True))
    y -= 6.5
    for line in _wrap(card.team, font_name, 7, column)[:3]:
        steps.append(_Text(left, y, 7, line))
        y -= 3.3
    if card.version_label:
        steps.append(_Text(left, 3.2, 6, card.version_label, _GREY))
    return steps


def _check_glyphs(cards: Sequence[Card], covered: frozenset[int], font) -> None:
    text = _HEADER + "志愿者编号" + "".join(c.name + c.number + c.team + c.version_label
                                         for c in cards)
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in covered})
    if missing:
        raise FontError(f"font {font.path} has no glyphs for: {''.join(missing)}")


def _qr_origin() -> tuple[float, float]:
    return CARD_W_MM - _QR_MM - 1.5, (CARD_H_MM - _BAND_MM - _QR_MM) / 2


def _draw_card_pdf(c, card: Card, font_name: str, x0: float, y0: float) -> None:
    """One card with its bottom-left corner at (x0, y0) points."""
    w, h = CARD_W_MM * _PT, CARD_H_MM * _PT
    c.saveState()
    c.setFillColorRGB(*_RED)
    c.rect(x0, y0 + h - _BAND_MM * _PT, w, _BAND_MM * _PT, stroke=0, fill=1)
    for step in _layout(card, font_name):
        c.saveState()
        t = c.beginText()
        t.setFont(font_name, step.size)
        t.setFillColorRGB(*step.color)
        if step.bold:  # one weight ships with WenQuanYi: stroke the outline for a legible bold
            c.setStrokeColorRGB(*step.color)
            c.setLineWidth(step.size * 0.035)
            t.setTextRenderMode(2)
        t.setTextOrigin(x0 + step.x * _PT, y0 + step.y * _PT)
        t.textLine(step.text)
        c.drawText(t)
        c.restoreState()
    qx, qy = _qr_origin()
    draw_qr(c, card.url, x0 + qx * _PT, y0 + qy * _PT, _QR_MM * _PT)
    c.restoreState()


def cards_pdf(cards: Sequence[Card], per_page: int = 10) -> bytes:
    """A4 sheets of 8 or 10 cards (two columns) with thin cut lines; one PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    if per_page not in (8, 10):
        raise PrintError(f"per_page must be 8 or 10, not {per_page!r}")
    if not cards:
        raise PrintError("no cards to print")
    font, name, covered = _font()
    _check_glyphs(cards, covered, font)
    w, h = CARD_W_MM * _PT, CARD_H_MM * _PT
    rows = per_page // 2
    gap_x = 6 * _PT
    gap_y = (A4[1] - rows * h) / (rows + 1)  # 10 a page leaves ~4.5 mm between rows
    left = (A4[0] - 2 * w - gap_x) / 2
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle("文明服务码 志愿者证")
    for start in range(0, len(cards), per_page):
        for index, card in enumerate(cards[start:start + per_page]):
            row, col = divmod(index, 2)
            x = left + col * (w + gap_x)
            y = A4[1] - (row + 1) * (gap_y + h)
            _draw_card_pdf(c, card, name, x, y)
            c.setStrokeColorRGB(0.6, 0.6, 0.6)
            c.setLineWidth(0.3)
            c.rect(x, y, w, h, stroke=1, fill=0)
        c.showPage()
    c.save()
    return buf.getvalue()


def card_png(card: Card, dpi: int = 300) -> bytes:
    """One card as a PNG at ``dpi`` (300 dpi: 1011 × 638 pixels)."""
    from PIL import Image, ImageDraw, ImageFont

    if not 72 <= dpi <= 1200:
        raise PrintError("dpi must be between 72 and 1200")
    font, name, covered = _font()
    _check_glyphs([card], covered, font)
    px = dpi / 25.4
    width, height = round(CARD_W_MM * px), round(CARD_H_MM * px)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def rgb(color):
        return tuple(round(v * 255) for v in color)

    draw.rectangle([0, 0, width, round(_BAND_MM * px)], fill=rgb(_RED))
    for step in _layout(card, name):
        size = step.size / 72 * dpi
        face = ImageFont.truetype(str(font.path), round(size), index=font.subfont_index)
        draw.text((step.x * px, height - step.y * px), step.text, font=face, fill=rgb(step.color),
                  anchor="ls", stroke_width=round(size * 0.035) if step.bold else 0,
                  stroke_fill=rgb(step.color))
    mods = matrix(card.url)
    qx, qy = _qr_origin()
    module = _QR_MM * px / (len(mods) + 8)
    top, left = height - (qy + _QR_MM) * px + 4 * module, qx * px + 4 * module
    for r, row in enumerate(mods):
        for col, dark in enumerate(row):
            if dark:
                x, y = left + col * module, top + r * module
                draw.rectangle([round(x), round(y), round(x + module) - 1, round(y + module) - 1],
                               fill="black")
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buf.getvalue()
