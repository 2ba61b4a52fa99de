"""QR symbol rendering: module matrix, PNG and SVG, error correction chosen for print wear."""

from __future__ import annotations

import io

from .errors import QRError

__all__ = ["matrix", "to_png", "to_svg", "runs"]


def matrix(text: str | bytes, *, error: str = "Q") -> list[list[bool]]:
    """The QR modules (True = dark) without quiet zone.

    Level Q (25 % recovery) survives scuffed, sun-faded and partly stickered posters; the cost is
    one or two QR versions over M, which a printed code of 10+ cm absorbs easily.
    """
    import qrcode
    import qrcode.constants

    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    code = qrcode.QRCode(error_correction=levels[error], border=0)
    # add_data's optimal segmenting puts the uppercase URL and token in alphanumeric mode.
    code.add_data(text)
    try:
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        raise QRError(f"text does not fit in a QR code: {exc}") from None
    return [[bool(m) for m in row] for row in code.get_matrix()]


def runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, start column, length): fewer shapes to draw."""
    out = []
    for y, row in enumerate(modules):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                out.append((y, start, x - start))
            else:
                x += 1
    return out


def to_png(text: str | bytes, *, scale: int = 10, border: int = 4) -> bytes:
    """A black-on-white 1-bit PNG, ``scale`` pixels per module, ``border`` modules of quiet zone."""
    import numpy as np
    from PIL import Image

    if scale < 1 or border < 0:
        raise QRError("scale must be >= 1 and border >= 0")
    mods = np.array(matrix(text), dtype=bool)
    mods = np.pad(mods, border, constant_values=False)
    pixels = np.kron(~mods, np.ones((scale, scale), dtype=bool))
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def to_svg(text: str | bytes, *, border: int = 4) -> str:
    """A scalable SVG: one path in module units, crisp at any print size."""
    if border < 0:
        raise QRError("border must be >= 0")
    mods = matrix(text)
    size = len(mods) + 2 * border
    path = "".join(f"M{x + border} {y + border}h{n}v1h-{n}z" for y, x, n in runs(mods))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * 10}" height="{size * 10}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    )
