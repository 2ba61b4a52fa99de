"""Charts drawn on the server as SVG (no script, no CDN): bars the eye compares at once."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = "#b3121d"


def bars(rows: list[tuple[str, float, str | None]], title: str, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value, link); each bar and figure links to its
    records. The table beside the chart carries the same numbers for screen readers."""
    rows = rows or []
    top = max((value for _label, value, _href in rows), default=0) or 1
    height = 34 * len(rows) + 10
    # A chart whose bars are links is a group of links (an image may not hold controls).
    role = "group" if any(href for _label, _value, href in rows) else "img"
    parts = [f'<svg viewBox="0 0 640 {height}" width="100%" role="{role}" '
             f'aria-label="{escape(title)}" class="bars">']
    for i, (label, value, href) in enumerate(rows):
        y = 8 + i * 34
        # 340 px of bar leaves room for "438.6 小时" after the longest within the 640 box.
        width = round(value / top * 340, 1)
        bar = (f'<text x="190" y="{y + 19}" text-anchor="end" font-size="15" fill="#1a1a1a">'
               f'<title>{escape(label)}</title>{escape(_short(label))}</text>'
               f'<rect x="200" y="{y}" width="{max(width, 1)}" height="24" fill="{BAR}"></rect>'
               f'<text x="{206 + width}" y="{y + 18}" font-size="15" fill="#1a1a1a">'
               f'{escape(_number(value))}{escape(unit)}</text>')
        parts.append(f'<a href="{escape(href)}">{bar}</a>' if href else bar)
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, room: int = 12) -> str:
    """A label that fits the 190 px before the bars at 15 px a character (the table beside
    the chart, and the bar's title, carry it whole)."""
    return label if len(label) <= room else label[: room - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
