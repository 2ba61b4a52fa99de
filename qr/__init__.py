"""文明服务码: signed, typed, versioned QR codes; sign, verify offline, render and decode them.

Importing this package is cheap: OpenCV, ZBar, zxing-cpp, reportlab and qrcode load on first use.
"""

from .cards import Card, card_png, cards_pdf
from .decode import Decoded, decode
from .errors import CodeError, FontError, ImageError, QRError
from .fonts import FontFile, find_cjk_font
from .keys import Keyring, PublicKey, SigningKey
from .payload import CodeType, Payload
from .posters import Poster, posters_pdf
from .presence import check_presence, parse_presence, presence_url, step_at
from .render import to_png, to_svg
from .tokens import code_url, extract_token, sign, verify

__all__ = [
    "CodeType",
    "Payload",
    "SigningKey",
    "PublicKey",
    "Keyring",
    "sign",
    "verify",
    "code_url",
    "extract_token",
    "QRError",
    "CodeError",
    "ImageError",
    "FontError",
    "to_png",
    "to_svg",
    "Poster",
    "posters_pdf",
    "Card",
    "cards_pdf",
    "card_png",
    "find_cjk_font",
    "FontFile",
    "decode",
    "Decoded",
    "presence_url",
    "parse_presence",
    "check_presence",
    "step_at",
]
