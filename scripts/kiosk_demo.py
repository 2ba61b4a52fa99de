"""The demo kiosk for `make run`: enrolled at 区图书馆 by its camera, fed demo volunteer cards.

    python scripts/kiosk_demo.py --server http://127.0.0.1:5000 [--port 8800] [--data-dir DIR]

A script, not part of the kiosk package: the kiosk depends on the qr library and on nothing of
the server, while this demo plays the site's administrator too. It reads the server's database
(the same WENMING_* settings as the server) only to make a one-time enrollment code and to
print the demo volunteers' cards; everything else goes through
the server's HTTP API, as a real kiosk would: it "sees" the enrollment code, enrolls, then
"sees" the cards held up one after another (sign in on the first pass, sign out on the next).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

import cv2  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.client import Offline, Refused  # noqa: E402
from kiosk.replay import code_image, held_up, room, write_replay  # noqa: E402
from kiosk.sources import FolderSource  # noqa: E402

SITE = "区图书馆"
CARDS = 4


def wait_for_server(server: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(server.rstrip("/") + "/api/v1/keys", timeout=3):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"kiosk demo: no server at {server}") from None
            time.sleep(1)


def _known(kiosk) -> bool:
    """False when the server no longer knows this kiosk's secret (401 device_unknown)."""
    try:
        kiosk.client().state()
    except Refused as exc:
        return exc.code != "device_unknown"
    except Offline:
        pass
    return True


def enrollment_and_cards(site_name: str, want_code: bool):
    """(enrollment code URL or None, demo volunteer cards as PNGs) from the server's database."""
    from sqlalchemy import select

    from server import create_app
    from server.codes.operations import code_url
    from server.core.db import writing
    from server.devices.operations import create_enrollment
    from server.extensions import db
    from server.sites.models import Site
    from server.volunteers import operations as vops
    from server.volunteers.cards import card_png
    from server.volunteers.models import Volunteer

    app = create_app()
    with app.app_context(), writing():
        site = db.session.scalar(select(Site).where(Site.name == site_name))
        if site is None:
            raise SystemExit(f"kiosk demo: no site named {site_name}; run `flask demo load`")
        url = None
        if want_code:
            _, code = create_enrollment(site, actor=None)
            url = code_url(code)
        volunteers = db.session.scalars(select(Volunteer).where(Volunteer.is_active.is_(True))
                                        .order_by(Volunteer.id).limit(CARDS * 3)).all()
        cards = [card_png(v) for v in volunteers if vops.volunteer_code(v) is not None][:CARDS]
        db.session.commit()
    return url, cards


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/kiosk_demo.py", description=__doc__.splitlines()[0])
    ap.add_argument("--server", default="http://127.0.0.1:5000")
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--data-dir", default="instance/kiosk-demo")
    ap.add_argument("--site", default=SITE)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not every page poll

    wait_for_server(args.server)
    data = Path(args.data_dir)
    app = KioskApp(args.server, str(data), FolderSource(data / "camera-enroll"), port=args.port,
                   name=f"{args.site} 演示机")
    kiosk = app.kiosk
    if kiosk.is_revoked or (kiosk.is_enrolled and not _known(kiosk)):
        # Revoked in the dashboard, or the demo database was rebuilt: enroll afresh.
        app.http.server_close()
        kiosk.store.close()
        shutil.rmtree(data)
        return main(argv)
    url, cards = enrollment_and_cards(args.site, want_code=not kiosk.is_enrolled)
    replay = write_replay(data / "camera-replay", cards)
    if url is not None:
        enroll = data / "camera-enroll"
        enroll.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(enroll / "a-room.jpg"), room())
        cv2.imwrite(str(enroll / "b-enrollment.jpg"), held_up(code_image(url), seed=99))
    app.start()
    print(f"kiosk demo: touchscreen page at {app.url}  (site {args.site})", flush=True)

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not kiosk.is_enrolled and not done.wait(0.5):
        pass
    # Enrolled: the administrator puts the enrollment code away, volunteers come by.
    app.scanner.source = FolderSource(replay)
    done.wait()
    app.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
