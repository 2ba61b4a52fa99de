"""QR decoding from camera frames: a cheap first pass, then fallbacks only when it fails.

The order of passes is `PASSES`: zxing-cpp on the frame; then sharpened, upscaled and CLAHE
copies; then the recovery families of `qr.recover` (deconvolution for defocus and motion, a
cylinder unroll for curved codes, a mesh of local grid fits for wrinkled ones), each only when
everything before it read nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .imageio import load_gray

__all__ = ["Decoded", "decode", "DECODERS", "PASSES"]

#: The passes in the order ``decode`` tries them; each name is the ``decoder`` of what it reads
#: (the ``thorough`` passes, ZBar and OpenCV, come after the recovery families).
PASSES = (
    "zxing", "zxing+sharpen", "zxing+upscale", "zxing+clahe",
    "recover+defocus", "recover+curved", "recover+mesh", "recover+motion",
)  # fmt: skip

Points = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Decoded:
    """One code found in an image: its text, its four corners (x, y), and which pass read it."""

    text: str
    points: Points
    decoder: str


def _text(raw: bytes, fallback: str) -> str:
    """Payload bytes as text: UTF-8 when valid (our codes are), else the decoder's charset guess."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def _corners(pts: Any) -> Points:
    return tuple((float(x), float(y)) for x, y in list(pts)[:4])  # type: ignore[return-value]


# -- the single decoders ---------------------------------------------------------------------------


def zxing(
    gray, *, invert: bool = False, binarizer: str = "LocalAverage", downscale: bool = True
) -> list[Decoded]:
    """zxing-cpp: the fastest and most tolerant detector here (see tests/bench/bench_decode.py)."""
    import zxingcpp

    found = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_rotate=False,  # QR finders are rotation-invariant; rotation only helps 1D codes
        try_downscale=downscale,
        try_invert=invert,
        binarizer=getattr(zxingcpp.Binarizer, binarizer),
        text_mode=zxingcpp.TextMode.Plain,
    )
    out = []
    for b in found:
        p = b.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        pts = [(c.x, c.y) for c in corners]
        out.append(Decoded(_text(b.bytes, b.text), _corners(pts), "zxing"))
    return out


def zbar(gray) -> list[Decoded]:
    """ZBar via pyzbar; it re-encodes payloads from a guessed charset, so undo wrong guesses."""
    from pyzbar import pyzbar

    out = []
    for sym in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        text = sym.data.decode("utf-8", "replace")
        if not text.isascii():
            # UTF-8 Chinese read as Shift_JIS/GB/Big5 comes back as mojibake; reverse the guess.
            for charset in ("shift_jis", "gb18030", "big5", "latin-1"):
                try:
                    text = text.encode(charset).decode("utf-8")
                    break
                except UnicodeError:
                    continue
        pts = [(p.x, p.y) for p in sym.polygon] or [(0, 0)] * 4
        out.append(Decoded(text, _corners(pts), "zbar"))
    return out


_cv_local = threading.local()  # OpenCV detectors keep state and are not thread-safe


def _opencv_common(gray, name: str, factory: Callable[[], Any]) -> list[Decoded]:
    det = getattr(_cv_local, name, None)
    if det is None:
        det = factory()
        setattr(_cv_local, name, det)
    try:
        # The Bytes variant: plain detectAndDecode raises UnicodeDecodeError on non-UTF-8 payloads.
        raw, pts, _ = det.detectAndDecodeBytes(gray)
    except Exception:  # cv2.error on degenerate geometry; a failed read, not a crash
        return []
    if not raw or pts is None:
        return []
    raw = bytes(raw)
    return [Decoded(_text(raw, raw.decode("latin-1")), _corners(pts.reshape(-1, 2)), name)]


def opencv(gray) -> list[Decoded]:
    import cv2

    return _opencv_common(gray, "opencv", cv2.QRCodeDetector)


def opencv_aruco(gray) -> list[Decoded]:
    import cv2

    return _opencv_common(gray, "opencv_aruco", cv2.QRCodeDetectorAruco)


#: Each library alone, as the benchmark compares them.
DECODERS: dict[str, Callable[[Any], list[Decoded]]] = {
    "zxing": lambda g: zxing(g, invert=True),
    "zbar": zbar,
    "opencv": opencv,
    "opencv_aruco": opencv_aruco,
}


def _sharpen(gray):
    import cv2

    # Unsharp mask: restores module edges smeared by defocus and hand shake.
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2.0), -1.0, 0)


def _upscale(gray):
    import cv2

    # Far codes with modules under ~2 px: zxing needs more pixels per module to sample, and
    # sharpening after the cubic resize restores the module edges the camera blurred.
    factor = 1.5
    big = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return _sharpen(big), factor


def _clahe(gray):
    import cv2

    # Local contrast for dim dark-mode screens, low light and shadow edges.
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def _scaled(found: list[Decoded], factor: float, name: str) -> list[Decoded]:
    return [
        Decoded(d.text, tuple((x / factor, y / factor) for x, y in d.points), name)  # type: ignore[arg-type]
        for d in found
    ]


def _passes(gray, thorough: bool, recover: bool):
    """Fallbacks in the order the benchmark found them most useful per millisecond."""
    yield lambda: [
        Decoded(d.text, d.points, "zxing+sharpen") for d in zxing(_sharpen(gray), invert=True)
    ]

    def upscaled():
        big, factor = _upscale(gray)
        # No downscaling pyramid here: the point of this pass is the extra resolution.
        return _scaled(zxing(big, invert=True, downscale=False), factor, "zxing+upscale")

    if max(gray.shape) <= 2048:  # a bigger photo has pixels enough; 2.25x of it costs memory
        yield upscaled
    yield lambda: [
        Decoded(d.text, d.points, "zxing+clahe") for d in zxing(_clahe(gray), invert=True)
    ]
    if recover:
        from . import recover as recovery

        located: list = []

        def family(name: str):
            def attempt():
                if not located:  # find the likely code places once for all the families
                    located.append(recovery.regions(gray))
                return recovery.recover(gray, name, located[0])

            return attempt

        for name in recovery.FAMILIES:
            yield family(name)
    if thorough:
        # 5-30x slower than zxing per frame; worth it for a photo, not for every camera frame.
        yield lambda: zbar(gray)
        yield lambda: opencv_aruco(gray)
        yield lambda: zbar(255 - gray)
        yield lambda: opencv(gray)


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: dict[str, Decoded] = {}
    for d in found:
        seen.setdefault(d.text, d)
    return list(seen.values())


def decode(
    image: Any, *, thorough: bool = False, fallbacks: bool = True, recover: bool = True
) -> list[Decoded]:
    """Every QR code readable in ``image`` (numpy BGR/gray, PIL image, bytes or path), deduplicated.

    The first pass is zxing-cpp on the grayscale frame (normal and inverted); the fallbacks run only
    when it reads nothing, and not at all with ``fallbacks=False`` (a camera loop that tries them on
    some frames only). With ``recover`` (the default) the recovery families follow the cheap
    fallbacks: tens to hundreds of milliseconds on a frame they cannot read, so a camera loop
    passes ``recover=False`` and runs `qr.recover` a share at a time. ``thorough`` adds ZBar and
    OpenCV, for uploaded photos rather than camera loops.
    """
    gray = load_gray(image)
    found = zxing(gray, invert=True)
    if found or not fallbacks:
        return _unique(found)
    for attempt in _passes(gray, thorough, recover):
        found = attempt()
        if found:
            return _unique(found)
    return []
