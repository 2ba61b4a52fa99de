"""The kiosk command line: start the frame loop, the sync worker and the touchscreen page."""

from __future__ import annotations

import argparse
import logging
import signal
import threading


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m kiosk", description=__doc__)
    ap.add_argument("--server", required=True, help="the server's address, e.g. http://host:5000")
    ap.add_argument("--data-dir", required=True,
                    help="where the kiosk keeps its identity and queue")
    ap.add_argument("--source", required=True,
                    help="camera index (0), a video file, or a folder of images / recorded frames")
    ap.add_argument("--port", type=int, default=8800, help="the touchscreen page's port (8800)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--fps", type=float, default=15.0)
    ap.add_argument("--lang", default="zh", choices=("zh", "en"))
    ap.add_argument("--name", default="", help="a name for this kiosk, shown in the dashboard")
    ap.add_argument("--refresh", type=float, default=60.0,
                    help="seconds between refreshes of keys, revocations and volunteers")
    ap.add_argument("--volume", type=int, choices=range(0, 101), metavar="0-100",
                    help="this kiosk's speaking volume, kept in its data folder (default 80)")
    ap.add_argument("--mute", action=argparse.BooleanOptionalAction, default=None,
                    help="silence (or with --no-mute, restore) this kiosk's voice; kept")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not every page poll
    from .app import KioskApp

    app = KioskApp(args.server, args.data_dir, args.source, port=args.port, host=args.host,
                   fps=args.fps, lang=args.lang, name=args.name,
                   refresh_seconds=args.refresh)
    if args.volume is not None or args.mute is not None:
        app.kiosk.set_sound(volume=args.volume, muted=args.mute)
    app.start()
    print(f"kiosk: touchscreen page at {app.url}", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    app.stop()
    return 0
