"""The honor roll: photo uploads (PNG/JPEG/WEBP only, re-encoded, bounded, bombs refused),
consent, the district's approval, and what the public may see."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from tests.fixtures.activities import form_token


def _image(fmt: str, size=(800, 1200), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 120, 40) if mode == "RGB" else None).save(out, fmt, **save)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's calling card."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + \
        chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepted_photos_are_reencoded_small_and_plain(fmt):
    from server.honors.imaging import reencode

    exif = Image.Exif()
    exif[0x010E] = "GPS: 32.3225,105.9631"  # what a phone leaves in a photo
    extra = {"exif": exif.tobytes()} if fmt in ("JPEG", "WEBP") else {}
    portrait = reencode(_image(fmt, **extra))
    picture = Image.open(io.BytesIO(portrait.data))
    assert picture.format == "JPEG" and picture.size == (640, 960)  # fits 720 × 960
    assert not picture.getexif() and b"GPS" not in portrait.data


def test_transparent_png_is_flattened_on_white():
    from server.honors.imaging import reencode

    portrait = reencode(_image("PNG", size=(100, 100), mode="RGBA"))
    assert Image.open(io.BytesIO(portrait.data)).getpixel((50, 50)) >= (250, 250, 250)


@pytest.mark.parametrize("data, code", [
    (b"", "photo_missing"),
    (b"GIF89a" + b"\0" * 100, "photo_type"),
    (_image("GIF", size=(10, 10), mode="P"), "photo_type"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo_type"),
    (b"%PDF-1.4 not a picture", "photo_type"),
    (_image("PNG")[:200], "photo_unreadable"),
    (_png_claiming(30000, 30000), "photo_too_many_pixels"),
    (_png_claiming(9000, 9000), "photo_too_many_pixels"),
    (_png_claiming(20001, 10), "photo_too_many_pixels"),
    (b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "photo_too_large"),
])
def test_bad_uploads_are_refused_with_a_reason(data, code):
    from server.honors.imaging import PhotoRefused, reencode

    with pytest.raises(PhotoRefused) as refused:
        reencode(data)
    assert refused.value.code == code


def _nominate(client, token, network, **fields):
    data = {"csrf_token": token, "name": "王桂兰", "category": "好邻居",
            "title": "2024年度“好邻居”", "year": "2024", "site_id": str(network["east"].id),
            "story": "十几年来帮邻居照看孩子、修水管。", "consent": "y", **fields}
    return client.post("/admin/honors/new", data=data, content_type="multipart/form-data")


def test_nominated_by_a_unit_published_by_the_district(app, client, db, network,
                                                       admin_session, create_admin):
    from server.honors.models import Honoree
    from tests.conftest import PASSWORD, csrf_token_in

    admin_session("institute_admin", network["east"])
    token = form_token(client, "/admin/honors/new")
    no_consent = _nominate(client, token, network, consent="")
    assert no_consent.status_code == 400 and "须经本人同意" in no_consent.get_data(as_text=True)
    bad_photo = _nominate(client, token, network,
                          photo=(io.BytesIO(b"GIF89a" + b"\0" * 50), "p.gif"))
    assert bad_photo.status_code == 400 and "PNG、JPEG 或 WEBP" in bad_photo.get_data(
        as_text=True)
    db.session.rollback()
    assert db.session.query(Honoree).count() == 0  # nothing half-written

    made = _nominate(client, token, network, photo=(io.BytesIO(_image("PNG")), "p.png"))
    assert made.status_code == 302, made.get_data(as_text=True)
    db.session.rollback()
    person = db.session.query(Honoree).one()
    assert person.status == "nominated" and person.photo_digest
    public = f"/honors/{person.id}"
    photo = f"/honors/{person.id}/photo/{person.photo_digest}.jpg"
    assert client.get(public).status_code == 404 and client.get(photo).status_code == 404

    refused = client.post(f"/admin/honors/{person.id}/approve",
                          data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 302
    db.session.rollback()
    assert db.session.get(Honoree, person.id).status == "nominated"  # an institute cannot

    db.session.rollback()
    district = create_admin("district_admin", network["center"])
    other = app.test_client()
    login_token = csrf_token_in(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"username": district.username, "password": PASSWORD,
                               "csrf_token": login_token})
    token = form_token(other, f"/admin/honors/{person.id}")
    assert other.post(f"/admin/honors/{person.id}/approve",
                      data={"csrf_token": token, "reason": ""}).status_code == 302
    assert client.get(public).status_code == 200 and "王桂兰" in client.get(public).get_data(
        as_text=True)
    assert client.get(photo).status_code == 200
    assert client.get(f"/honors/{person.id}/photo/{'0' * 64}.jpg").status_code == 404

    withdrawn = other.post(f"/admin/honors/{person.id}/withdraw",
                           data={"csrf_token": token, "reason": "本人要求撤下"})
    assert withdrawn.status_code == 302
    assert client.get(public).status_code == 404
    export = other.get("/admin/honors/export.csv").data.decode("utf-8-sig")
    assert "王桂兰" in export and "已撤下" in export


def test_a_new_photo_gets_a_new_address(db, network):
    from server.honors import operations as honors

    person = honors.nominate(name="李德福", category="四川好人", site=network["east"],
                             year=2023, story="照顾邻居老人二十年。", consent=True)
    first = honors.set_photo(person, _image("PNG")).digest
    second = honors.set_photo(person, _image("WEBP", size=(300, 300))).digest
    db.session.commit()
    assert first != second and honors.photo_of(person).digest == second == person.photo_digest
