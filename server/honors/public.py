"""Public face of the honor roll: a model's page, their portrait, the roll near a site (JSON),
and the section on a point's landing page."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from ..core.api import error_responses
from ..core.errors import NotFound
from ..core.i18n import _l
from ..core.openapi import API_PREFIX, component, documented
from ..core.schema import parse_id
from ..extensions import db
from ..sites.models import Site
from . import operations as ops

bp = Blueprint("honors_public", __name__, template_folder="templates")
api = Blueprint("honors_api", __name__, url_prefix=API_PREFIX + "/honors")

HONOREE_LIST = component("HonoreeList", {
    "type": "object", "required": ["honorees"],
    "properties": {"honorees": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "category": {"type": "string"}, "title": {"type": "string"},
        "story": {"type": "string"}, "year": {"type": "integer"},
        "unit": {"type": "string"}, "photo_url": {"type": "string", "nullable": True}}}}},
})


@bp.get("/honors/<int:honoree_id>")
def show(honoree_id: int):
    honoree = ops.public_honoree(honoree_id)
    from ..activities.display import when_text  # activities name their speaker
    from ..activities.operations import talks_by

    return render_template("honors/public_show.html", honoree=honoree,
                           talks=talks_by(honoree, public_only=True, limit=10), when=when_text)


@bp.get("/honors/<int:honoree_id>/photo/<digest>.jpg")
def photo(honoree_id: int, digest: str):
    """The portrait of a published model. Its URL names the picture's digest, so it can be
    cached for good: a new photo has a new URL."""
    honoree = ops.public_honoree(honoree_id)
    picture = ops.photo_of(honoree)
    if picture is None or picture.digest != digest:
        raise NotFound(_l("No such photo."), "photo_not_found")
    return Response(picture.data, mimetype=picture.mime,
                    headers={"Cache-Control": "public, max-age=31536000, immutable",
                             "Content-Security-Policy": "default-src 'none'"})


def honoree_out(honoree) -> dict:
    """A published model in JSON (the kiosk's idle screen, the roll near a site)."""
    from ..activities.display import public_url

    photo = public_url("honors_public.photo", honoree_id=honoree.id,
                       digest=honoree.photo_digest) if honoree.photo_digest else None
    return {"id": honoree.id, "name": honoree.name, "category": honoree.category,
            "title": honoree.title, "story": honoree.story, "year": honoree.year,
            "unit": honoree.site.name, "photo_url": photo,
            "photo_digest": honoree.photo_digest}


@api.get("")
@documented("The published honor roll shown near a site (its town first, then the district)",
            query={"site_id": {"type": "integer"}},
            responses={200: ("models of good conduct", HONOREE_LIST), **error_responses(404)},
            tags=("honors",))
def near():
    number = parse_id(request.args.get("site_id", ""))
    site = db.session.get(Site, number) if number else None
    if site is None or not site.is_active:
        raise NotFound(_l("No such site."), "site_not_found", field="site_id")
    return {"honorees": [honoree_out(h) for h in ops.shown_at(site, limit=20)]}


def landing_section(site) -> Markup | None:
    shown = ops.shown_at(site, limit=3)
    if not shown:
        return None
    return Markup(render_template("honors/_landing.html", honorees=shown))
