"""Reading a rendered page as a person does: its visible text."""

from __future__ import annotations

import html
import re


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def site_picker_options(page: str, name: str) -> list[str]:
    """The sites a page's picker for the field `name` offers without JavaScript (its select's
    options, by name), after checking that the field is the site picker: one select of that
    name, marked for the typeahead, and no raw "site number" box beside it."""
    selects = re.findall(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page,
                         flags=re.S)
    assert len(selects) == 1, f"{len(selects)} selects named {name}"
    opening = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>', page).group(0)
    assert "data-site-picker=" in opening, opening
    assert "站点编号" not in visible(page) and 'placeholder="Site number"' not in page
    return [html.unescape(o).replace("\u3000", "").strip()
            for o in re.findall(r"<option\b[^>]*>(.*?)</option>", selects[0], flags=re.S)]


def site_picker_search(page: str, name: str) -> str:
    """The search address the picker for `name` asks (with its `kind=`, if any)."""
    opening = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'data-site-picker="([^"]*)"', opening).group(1))
