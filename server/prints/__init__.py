"""The print shop: A4 posters and A6 stickers of point codes, volunteer cards (PDF sheets and
PNG), and the CJK font every printed page embeds (assets/fonts first, then the system's).

It draws QR codes with the qr library's public rendering (`qr.render.matrix`); the features
that print (codes, volunteers, ledger's certificate) call it, the kiosk never does.
"""

from .cards import CARD_H_MM, CARD_W_MM, Card, card_png, cards_pdf
from .errors import FontError, PrintError
from .fonts import FontFile, find_cjk_font, register_font
from .posters import Poster, draw_qr, posters_pdf

__all__ = [
    "Poster",
    "posters_pdf",
    "Card",
    "cards_pdf",
    "card_png",
    "CARD_W_MM",
    "CARD_H_MM",
    "draw_qr",
    "FontFile",
    "find_cjk_font",
    "register_font",
    "PrintError",
    "FontError",
]
