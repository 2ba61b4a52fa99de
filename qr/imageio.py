"""Loading untrusted images safely into a grayscale numpy array for the decoders."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any

from .errors import ImageError

__all__ = ["MAX_PIXELS", "MAX_BYTES", "load_gray"]

#: Largest image accepted (an 8K camera frame is 33 Mpx); larger is refused before decoding pixels.
MAX_PIXELS = 40_000_000
#: Largest encoded file accepted; a real photo of a poster is a few MB.
MAX_BYTES = 50_000_000


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError("image is empty")
    if width * height > MAX_PIXELS:
        raise ImageError(f"image is too large: {width}x{height} exceeds {MAX_PIXELS} pixels")


def _from_pil(im: Any):
    import numpy as np
    from PIL import Image

    _check_size(*im.size)
    try:
        with warnings.catch_warnings():
            # Pillow only warns about bombs between 1x and 2x its limit; that is an error here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                # Transparent areas become white, as the code would look on a white page.
                bg = Image.new("RGBA", im.size, "white")
                im = Image.alpha_composite(bg, im.convert("RGBA"))
            gray = im.convert("L")
            return np.asarray(gray, dtype=np.uint8)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"image is too large to decode safely (decompression bomb?): {exc}"
        ) from None
    except (
        Exception
    ) as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error... on bad files
        raise ImageError(f"cannot read image: {exc}") from None


def _from_bytes(data: bytes, name: str = "image"):
    from PIL import Image

    if len(data) > MAX_BYTES:
        raise ImageError(f"{name} is too large: {len(data)} bytes")
    if not data:
        raise ImageError(f"{name} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            im.size  # noqa: B018 - header parsed; pixels not yet decoded
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"{name} is too large to decode safely (decompression bomb?): {exc}"
        ) from None
    except Exception as exc:
        raise ImageError(f"{name} is not a readable image: {exc}") from None
    with im:
        return _from_pil(im)


def _from_array(arr: Any):
    import numpy as np

    if arr.dtype != np.uint8:
        raise ImageError(f"image array must be uint8, not {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        _check_size(arr.shape[1], arr.shape[0])
        return np.ascontiguousarray(arr)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        import cv2

        _check_size(arr.shape[1], arr.shape[0])
        code = cv2.COLOR_BGR2GRAY if arr.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return cv2.cvtColor(np.ascontiguousarray(arr), code)
    raise ImageError(f"image array must be HxW, HxWx3 (BGR) or HxWx4, not {arr.shape}")


def load_gray(image: Any):
    """Grayscale uint8 array from a numpy BGR/gray array, PIL image, encoded bytes or a path."""
    import numpy as np

    if isinstance(image, np.ndarray):
        return _from_array(image)
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(image))
    if isinstance(image, (str, os.PathLike)):
        path = Path(image)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ImageError(f"{path} is too large: {path.stat().st_size} bytes")
            data = path.read_bytes()
        except OSError as exc:
            raise ImageError(f"cannot open {path}: {exc.strerror or exc}") from None
        return _from_bytes(data, str(path))
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a hard dependency
        Image = None
    if Image is not None and isinstance(image, Image.Image):
        return _from_pil(image)
    raise ImageError(
        f"cannot decode a {type(image).__name__}; pass an array, PIL image, bytes or path"
    )
