"""Rendering and decoding: round trips, odd payloads and hostile images."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from qr import decode, to_png, to_svg, verify
from qr.decode import Decoded
from qr.errors import ImageError
from qr.render import matrix
from qr.tokens import code_url
from tests.fixtures.qr_keys import BASE, NOW


def _png(payload, scale=6) -> bytes:
    import qrcode

    code = qrcode.QRCode(box_size=scale, border=4)
    code.add_data(payload)
    buf = io.BytesIO()
    code.make_image().save(buf)
    return buf.getvalue()


def test_png_round_trip_and_verify(make_token, keyring):
    url = code_url(BASE, make_token())
    [found] = decode(to_png(url))
    assert isinstance(found, Decoded) and found.text == url
    assert len(found.points) == 4 and all(len(p) == 2 for p in found.points)
    assert verify(found.text, keyring, base_url=BASE, now=NOW).subject == "42"


def test_typical_url_qr_version(make_token):
    # Key id "K1": 155 alphanumeric chars, version 8 (49x49) at level Q; all lowercase needs 11.
    url = code_url(BASE, make_token())
    assert len(url) == 155 and len(matrix(url)) == 17 + 4 * 8
    assert len(matrix(url.lower())) == 17 + 4 * 11


def test_png_border_and_scale(make_token):
    im = Image.open(io.BytesIO(to_png("HELLO", scale=3, border=4)))
    assert im.size == ((21 + 8) * 3,) * 2
    assert im.getpixel((0, 0)) and not im.getpixel((12, 12))  # quiet zone white, finder black


def test_svg_is_vector_and_matches_matrix():
    svg = to_svg("HELLO", border=4)
    assert svg.startswith("<svg") and 'viewBox="0 0 29 29"' in svg and "<path" in svg
    mods = matrix("HELLO")
    assert svg.count("h") >= sum(
        1 for row in mods for i, m in enumerate(row) if m and (i == 0 or not row[i - 1])
    )


def test_decode_accepts_all_input_kinds(tmp_path: Path):
    data = to_png("KIOSK-TEST")
    path = tmp_path / "c.png"
    path.write_bytes(data)
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    for image in (
        data,
        path,
        str(path),
        Image.open(path),
        gray,
        bgr,
        Image.open(path).convert("RGBA"),
    ):
        assert [d.text for d in decode(image)] == ["KIOSK-TEST"]


def test_chinese_payload_decodes_as_utf8():
    text = "昭化区新时代文明实践中心·志愿服务"
    assert [d.text for d in decode(_png(text))] == [text]
    assert [d.text for d in decode(_png(text), thorough=True)] == [text]


@pytest.mark.parametrize("decoder", ["zxing", "zbar", "opencv", "opencv_aruco"])
def test_single_decoders_read_chinese_and_survive_non_utf8(decoder):
    from qr.decode import DECODERS

    gray = np.asarray(Image.open(io.BytesIO(_png("文明服务码:图书馆:12"))).convert("L"))
    assert [d.text for d in DECODERS[decoder](gray)] == ["文明服务码:图书馆:12"]
    raw = np.asarray(Image.open(io.BytesIO(_png(b"\xff\xfe\x80\x00 binary \xc3"))).convert("L"))
    for d in DECODERS[decoder](raw):
        assert isinstance(d.text, str)


def test_non_utf8_payload_does_not_crash():
    found = decode(_png(b"\xff\xfe\x80\x00 binary \xc3"), thorough=True)
    assert len(found) == 1 and isinstance(found[0].text, str)


def test_dark_mode_screen_inverted_code():
    gray = np.asarray(Image.open(io.BytesIO(to_png("DARK-MODE-CODE"))).convert("L"))
    assert [d.text for d in decode(255 - gray)] == ["DARK-MODE-CODE"]


def test_two_codes_in_one_frame_are_both_found_once():
    a = np.asarray(Image.open(io.BytesIO(to_png("CODE-A"))).convert("L"))
    b = np.asarray(Image.open(io.BytesIO(to_png("CODE-B"))).convert("L"))
    frame = np.full((a.shape[0] + 40, a.shape[1] + b.shape[1] + 80), 255, np.uint8)
    frame[20 : 20 + a.shape[0], 20 : 20 + a.shape[1]] = a
    frame[20 : 20 + b.shape[0], 60 + a.shape[1] : 60 + a.shape[1] + b.shape[1]] = b
    assert sorted(d.text for d in decode(frame)) == ["CODE-A", "CODE-B"]


def test_no_code_returns_empty_list():
    rng = np.random.default_rng(0)
    assert decode(rng.integers(0, 255, (480, 640), dtype=np.uint8)) == []
    assert decode(np.full((480, 640, 3), 200, np.uint8), thorough=True) == []


def _png_header(width: int, height: int) -> bytes:
    """A PNG with a valid header claiming the given size and no real pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"definitely not an image", "not a readable image"),
        (bytes(range(256)) * 20, "not a readable image"),
        (_png_header(12_000, 12_000), "too large"),  # 144 Mpx: Pillow's bomb *warning* range
        (_png_header(20_000, 20_000), "too large"),  # 400 Mpx: Pillow's bomb error
        (_png_header(8_000, 6_000), "too large"),  # 48 Mpx: over our own limit
        (_png_header(640, 480), "cannot read image"),  # header fine, pixels missing
    ],
)
def test_hostile_bytes_raise_image_error(data, words):
    with pytest.raises(ImageError, match=words):
        decode(data)


def test_decompression_bomb_warning_is_an_error(monkeypatch):
    # Lower Pillow's threshold so an ordinary image lands in the warning band.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(ImageError):
        decode(to_png("BOMB", scale=10))


def test_truncated_png_raises_image_error():
    data = to_png("TRUNCATED-TEST", scale=8)
    with pytest.raises(ImageError):
        decode(data[: len(data) // 2])


def test_huge_array_and_bad_inputs():
    with pytest.raises(ImageError, match="too large"):
        decode(np.zeros((7_000, 6_000), np.uint8))
    with pytest.raises(ImageError):
        decode(np.zeros((10, 10), np.float32))
    with pytest.raises(ImageError):
        decode(np.zeros((10, 10, 2), np.uint8))
    with pytest.raises(ImageError):
        decode(12345)


def test_unreadable_paths(tmp_path: Path):
    with pytest.raises(ImageError, match="cannot open"):
        decode(tmp_path / "missing.png")
    with pytest.raises(ImageError):
        decode(tmp_path)  # a directory
    text = tmp_path / "notes.txt"
    text.write_text("昭化区")
    with pytest.raises(ImageError):
        decode(text)


def test_a_wrinkled_code_the_plain_decoder_misses_is_read_through_the_mesh():
    # A poster on a smooth wrinkle field at the strongest strength of the bench corpus
    # (development seed 1): zxing-cpp locates the code but one homography leaves its modules
    # off the grid; the mesh of local fits in qr.recover puts them back.
    from qr.recover import recover
    from tests.bench.qr_corpus import frame

    f = frame(1, "wrinkle-3", 23)
    gray = cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY)
    assert decode(gray, recover=False) == []
    assert [d.text for d in recover(gray, "mesh")] == [f.text]
    [found] = decode(gray)
    assert (found.text, found.decoder) == (f.text, "recover+mesh")
