"""Portrait uploads: PNG, JPEG or WEBP only, checked before they are decoded, re-encoded here.

Nothing the uploader sent is kept: the picture is decoded once (bounded in bytes and in
pixels, so a decompression bomb is refused before it is expanded), turned upright by its
EXIF orientation, flattened, shrunk and written again as a plain JPEG without metadata."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from ..core.errors import ValidationError
from ..core.i18n import _l

ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BYTES = 5 * 1024 * 1024  # what a phone photo takes; more is refused before decoding
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; beyond that, a bomb or nothing we need
MAX_SIDE = 20_000
OUTPUT_BOX = (720, 960)  # the largest the kiosk and the phone show a portrait
JPEG_QUALITY = 85


class PhotoRefused(ValidationError):
    code = "photo_refused"


@dataclass(frozen=True)
class Portrait:
    data: bytes
    width: int
    height: int
    digest: str
    mime: str = "image/jpeg"


def reencode(data: bytes) -> Portrait:
    """The upload as a fresh JPEG, or PhotoRefused saying what was wrong with it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(data, bytes | bytearray) or not data:
        raise PhotoRefused(_l("Please choose a photo."), "photo_missing", field="photo")
    if len(data) > MAX_BYTES:
        raise PhotoRefused(_l("The photo is too large (at most %(n)d MB).",
                              n=MAX_BYTES // (1024 * 1024)), "photo_too_large", field="photo")
    with warnings.catch_warnings():
        # Pillow warns, then raises, on pictures past its own pixel limit: both are a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except UnidentifiedImageError:
            raise PhotoRefused(_l("Only PNG, JPEG or WEBP photos can be used."),
                               "photo_type", field="photo") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (OSError, ValueError, SyntaxError):
            raise _unreadable() from None
        with image:
            width, height = image.size
            if width <= 0 or height <= 0 or width > MAX_SIDE or height > MAX_SIDE \
                    or width * height > MAX_PIXELS:
                raise _too_many_pixels()
            try:
                image.load()  # the first frame only, of an animated WEBP or PNG
                picture = ImageOps.exif_transpose(image)
                picture = _flattened(picture)
                picture.thumbnail(OUTPUT_BOX, Image.Resampling.LANCZOS)
                out = io.BytesIO()
                picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True,
                             progressive=True)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_many_pixels() from None
            except (OSError, ValueError, SyntaxError, EOFError):
                raise _unreadable() from None
    encoded = out.getvalue()
    return Portrait(encoded, picture.width, picture.height,
                    hashlib.sha256(encoded).hexdigest())


def _flattened(picture):
    from PIL import Image

    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P"
                                                  and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return picture.convert("RGB")


def _too_many_pixels() -> PhotoRefused:
    return PhotoRefused(_l("The photo has too many pixels. Please send a smaller picture."),
                        "photo_too_many_pixels", field="photo")


def _unreadable() -> PhotoRefused:
    return PhotoRefused(_l("The photo could not be read. Please send another picture."),
                        "photo_unreadable", field="photo")
