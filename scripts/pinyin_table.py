"""Make the kiosk keyboard's pinyin table, kiosk/static/pinyin.json: for each toneless syllable,
the common characters read that way (GB 2312 level 1, the 3,755 most used), the more common
first — judged by how many of pypinyin's phrases hold the character —, so a touch-only kiosk can
type Chinese with its on-screen letters.

    .venv/bin/python scripts/pinyin_table.py

Needs pypinyin (requirements-dev.txt); the kiosk reads only the committed JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "kiosk" / "static" / "pinyin.json"


def level_one() -> list[str]:
    """GB 2312's first level: rows 16–55 (0xB0–0xD7), 94 cells each, the last row 89."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF if row < 0xD7 else 0xFA):
            chars.append(bytes([row, cell]).decode("gb2312"))
    return chars


def main() -> int:
    from collections import Counter

    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict

    uses = Counter(char for phrase in phrases_dict for char in phrase)
    table: dict[str, str] = {}
    common = sorted(level_one(), key=lambda c: -uses[c])
    readings = {c: pinyin(c, style=Style.NORMAL, heteronym=True)[0] for c in common}
    # Each character under its main reading first; a polyphone's second reading (行: hang)
    # comes after every character whose main reading that is.
    for rank in (0, 1):
        for char in common:
            if len(readings[char]) <= rank:
                continue
            key = readings[char][rank].replace("ü", "v")
            if key.isascii() and key.isalpha() and char not in table.get(key, ""):
                table[key] = table.get(key, "") + char
    TARGET.write_text(json.dumps(dict(sorted(table.items())), ensure_ascii=False,
                                 separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{sum(map(len, table.values()))} readings of {len(level_one())} characters "
          f"under {len(table)} syllables in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
