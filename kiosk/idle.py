"""The idle screen's rhythm: the month's theme, the next activities at this kiosk's site and
the honor roll, fetched by the sync worker, kept on disk (with the portraits) and served to
the page, so the screen goes on showing them while the network is down."""

from __future__ import annotations

import hashlib
import logging
import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify

from .client import Offline, Refused

log = logging.getLogger("kiosk.idle")

PHOTO_MAX = 2 * 1024 * 1024
# The panel's words (kept here, not in messages.py, so this panel stands on its own).
WORDS = {
    "zh": {"activities": "近期活动", "theme": "本月主题", "honor": "身边好人",
           "portrait": "%s的照片", "left": "余%d个名额", "full": "已满，可候补"},
    "en": {"activities": "Coming up", "theme": "Theme of the month", "honor": "Model of good "
           "conduct", "portrait": "Portrait of %s", "left": "%d places left",
           "full": "full, waitlist open"},
}
_DIGEST = re.compile(r"[0-9a-f]{64}")


def photo_dir(kiosk) -> Path:
    path = kiosk.store.dir / "idle-photos"
    path.mkdir(exist_ok=True)
    return path


def refresh(kiosk, client) -> None:
    """Fetch the idle content and the portraits not on disk yet; keep the last good copy
    when the server cannot be reached or is older than this feature."""
    try:
        content = client.request("GET", "/kiosk/idle").body
    except (Offline, Refused) as exc:
        log.info("idle content not refreshed: %s", exc)
        return
    if not isinstance(content, dict) or not isinstance(content.get("honorees"), list):
        return
    folder = photo_dir(kiosk)
    wanted = set()
    for person in content["honorees"]:
        digest = person.get("photo_digest") if isinstance(person, dict) else None
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            continue
        wanted.add(digest)
        target = folder / f"{digest}.jpg"
        if not target.exists():
            _fetch_photo(kiosk.server, person.get("photo_url"), digest, target)
    for old in folder.glob("*.jpg"):
        if old.stem not in wanted:
            old.unlink(missing_ok=True)
    kiosk.store.put(idle=content)
    kiosk.screen.bump()


def _fetch_photo(server: str, url, digest: str, target: Path) -> None:
    """From the server this kiosk talks to (its address for it may differ from the public
    domain the URL names: a kiosk on the district's own network)."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return
    path = urlsplit(url).path
    try:
        with urllib.request.urlopen(server + path, timeout=10) as answer:
            data = answer.read(PHOTO_MAX + 1)
    except (OSError, ValueError) as exc:
        log.info("portrait not fetched: %s", exc)
        return
    # Only the picture the server named is kept: the digest is checked, not trusted.
    if len(data) <= PHOTO_MAX and hashlib.sha256(data).hexdigest() == digest:
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)


def page_content(kiosk) -> dict:
    """What the page shows: the cached content, portraits pointing at the local copies."""
    content = dict(kiosk.store.get("idle") or {})
    folder = photo_dir(kiosk)
    people = []
    for person in content.get("honorees") or []:
        if not isinstance(person, dict):
            continue
        digest = person.get("photo_digest")
        local = isinstance(digest, str) and _DIGEST.fullmatch(digest) \
            and (folder / f"{digest}.jpg").exists()
        people.append({**person, "photo_url": f"idle/photo/{digest}.jpg" if local else None})
    content["honorees"] = people
    content.setdefault("activities", [])
    return content


def idle_blueprint(kiosk) -> Blueprint:
    bp = Blueprint("idle", __name__)

    @bp.app_context_processor
    def idle_words():
        return {"idle_words": WORDS["en" if kiosk.lang.startswith("en") else "zh"]}

    @bp.get("/idle.json")
    def idle_json():
        return jsonify(page_content(kiosk))

    @bp.get("/idle/photo/<digest>.jpg")
    def photo(digest: str):
        path = photo_dir(kiosk) / f"{digest}.jpg"
        if not _DIGEST.fullmatch(digest) or not path.exists():
            return Response(status=404)
        return Response(path.read_bytes(), mimetype="image/jpeg",
                        headers={"Cache-Control": "max-age=86400"})

    return bp
