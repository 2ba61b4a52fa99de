"""The kiosk's idle screen: the next activities at its site, the month's theme and the honor
roll, in one answer the kiosk caches to show while offline."""

from __future__ import annotations

from flask import Blueprint

from ..core.api import error_responses
from ..core.openapi import API_PREFIX, documented
from ..core.timeutil import utcnow
from ..devices.auth import current_device, device_required
from ..honors.operations import shown_at
from ..honors.public import honoree_out
from . import operations as ops
from .api import places_left
from .display import month_text, when_text
from .schemas import KIOSK_IDLE, iso

bp = Blueprint("activities_kiosk_api", __name__, url_prefix=API_PREFIX + "/kiosk")

ROTATE_SECONDS = 12  # each page of the idle screen (activities, then each model) stays this long


def idle_content(site) -> dict:
    """What the idle screen (and a point's landing page) shows at `site`, as JSON."""
    now = utcnow()
    month = ops.local_month(now)
    theme = ops.theme_for(site, month)
    return {
        "site_id": site.id,
        "theme": {"title": theme.title, "description": theme.description,
                  "month": month_text(month)} if theme else None,
        "activities": [{"id": a.id, "title": a.title, "starts_at": iso(a.starts_at),
                        "ends_at": iso(a.ends_at), "when": when_text(a.starts_at, a.ends_at),
                        "place": a.site.name, "brand": a.brand,
                        "places_left": places_left(a)}
                       for a in ops.upcoming_at(site, now=now, limit=4)],
        "honorees": [honoree_out(h) for h in shown_at(site, limit=8)],
        "generated_at": iso(now), "rotate_seconds": ROTATE_SECONDS,
    }


@bp.get("/idle")
@device_required
@documented("The idle screen's content at this kiosk's site: the month's theme, the next "
            "activities and the honor roll (photos by URL, named by their digest so a cached "
            "one is fetched once)",
            responses={200: ("idle screen content", KIOSK_IDLE), **error_responses(401, 403)},
            tags=("kiosk", "activities"), security="kiosk")
def idle():
    return idle_content(current_device().site)
