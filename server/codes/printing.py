"""Posters, stickers and code images for sites, built from the server's records."""

from __future__ import annotations

from collections.abc import Sequence

import qr

from .. import prints
from ..sites import operations as sites
from ..sites.models import Site, SiteKind
from .models import ServiceCode
from .operations import code_url

INSTRUCTION = "手机扫码：核对地点 · 点单 · 志愿者签到"
SIZES = ("A4", "A6")


def _subtitle(site: Site) -> str:
    """The unit the site belongs to, so a resident sees where in the network it is."""
    if site.kind == SiteKind.CENTER:
        return "新时代文明实践中心"
    chain = sites.ancestors(site)
    return chain[-1].name if chain else ""


def poster_for(code: ServiceCode) -> prints.Poster:
    site = code.site
    return prints.Poster(
        title=site.name,
        address=site.address or "",
        instruction=INSTRUCTION,
        url=code_url(code),
        version_label=f"码版本 v{code.version}",
        short_code=code.short_code or "",
        subtitle=_subtitle(site),
    )


def posters_pdf(codes: Sequence[ServiceCode], size: str = "A4") -> bytes:
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    return prints.posters_pdf([poster_for(c) for c in codes], size=size)


def code_png(code: ServiceCode, scale: int = 10) -> bytes:
    return qr.to_png(code_url(code), scale=scale)


def code_svg(code: ServiceCode) -> str:
    return qr.to_svg(code_url(code))
