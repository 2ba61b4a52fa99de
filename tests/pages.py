"""Reading a rendered page as a person does: its visible text."""

from __future__ import annotations

import html
import re


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)
