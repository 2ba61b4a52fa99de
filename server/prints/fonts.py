"""Finding a CJK font that reportlab can embed (TrueType outlines, not the CFF of Noto CJK)
and registering it once per process."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import ASSETS_DIR
from .errors import FontError

__all__ = ["FontFile", "find_cjk_font", "register_font", "FONT_SEARCH_PATHS"]

_REPO_FONTS = ASSETS_DIR / "fonts"

#: Where to look, in order: the repo's own assets, then Debian packages (fonts-wqy-zenhei first:
#: TrueType glyf outlines that reportlab can subset; Noto CJK ships CFF that it cannot).
FONT_SEARCH_PATHS: list[Path] = [
    _REPO_FONTS,
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
]


@dataclass(frozen=True)
class FontFile:
    """A font file and, for a .ttc collection, which face in it to use."""

    path: Path
    subfont_index: int = 0


def _has_truetype_outlines(path: Path) -> bool:
    """Read the sfnt table directory: True when the first face has glyf (not CFF) outlines."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
            offset = 0
            if head[:4] == b"ttcf":
                f.seek(12)
                (offset,) = struct.unpack(">I", f.read(4))
                f.seek(offset)
                head = f.read(12)
            if head[:4] not in (b"\x00\x01\x00\x00", b"true"):
                return False
            (num_tables,) = struct.unpack(">H", head[4:6])
            table = f.read(16 * num_tables)
    except OSError:
        return False
    tags = {table[i : i + 4] for i in range(0, len(table), 16)}
    return b"glyf" in tags and b"cmap" in tags


def _candidates() -> list[Path]:
    found: list[Path] = []
    env = os.environ.get("QR_CJK_FONT")
    if env:
        found.append(Path(env))
    for entry in FONT_SEARCH_PATHS:
        if entry.is_dir():
            found.extend(sorted(p for p in entry.iterdir() if p.suffix.lower() in (".ttf", ".ttc")))
        else:
            found.append(entry)
    return found


def find_cjk_font() -> FontFile:
    """The first usable CJK TrueType font; $QR_CJK_FONT overrides the search."""
    for path in _candidates():
        if path.is_file() and _has_truetype_outlines(path):
            return FontFile(path)
    raise FontError(
        "no CJK TrueType font found: install the Debian package fonts-wqy-zenhei, "
        "put a .ttf/.ttc with glyf outlines in assets/fonts/, or set QR_CJK_FONT "
        "(Noto CJK .ttc files use CFF outlines, which reportlab cannot embed)"
    )


@lru_cache(maxsize=4)
def register_font(font: FontFile) -> tuple[str, frozenset[int]]:
    """Register the face with reportlab once per process; return its name and code points."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"CJK-{font.path.stem}-{font.subfont_index}"
    try:
        ttf = TTFont(name, str(font.path), subfontIndex=font.subfont_index)
    except (TTFError, OSError) as exc:
        raise FontError(f"cannot embed font {font.path}: {exc}") from None
    pdfmetrics.registerFont(ttf)
    return name, frozenset(ttf.face.charToGlyph)
