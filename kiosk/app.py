"""Wiring: a kiosk with its frame loop, sync worker and touchscreen page, started and stopped."""

from __future__ import annotations

import logging
import threading
import time

from werkzeug.serving import make_server

from .core import Kiosk
from .scanner import Scanner
from .sources import open_source
from .sync import SyncWorker
from .ui import create_ui

log = logging.getLogger("kiosk")


class KioskApp:
    def __init__(self, server: str, data_dir: str, source, *, port: int = 8800,
                 host: str = "127.0.0.1", fps: float = 15.0, lang: str = "zh",
                 name: str = "", refresh_seconds: float = 60.0) -> None:
        self.kiosk = Kiosk(server, data_dir, lang=lang, name=name)
        if isinstance(source, str):
            source = open_source(source)
        self.scanner = Scanner(source, self.kiosk.on_scan, fps=fps,
                               on_camera=lambda ok: self.kiosk.screen.set(camera_ok=ok))
        self.sync = SyncWorker(self.kiosk, refresh_seconds=refresh_seconds)
        self.http = make_server(host, port, create_ui(self.kiosk, self.scanner), threaded=True)
        self.url = f"http://{host}:{self.http.server_port}/"
        self._http_thread = threading.Thread(target=self.http.serve_forever, name="kiosk-ui",
                                             daemon=True)

    def start(self) -> KioskApp:
        self._http_thread.start()
        self.sync.start()
        self.scanner.start()
        return self

    def stop(self) -> None:
        self.kiosk.screen.close()
        self.scanner.stop()
        self.sync.stop()
        self.http.shutdown()
        self.scanner.join(5)
        self.sync.join(15)
        self._http_thread.join(5)
        self.http.server_close()
        time.sleep(0.2)  # requests already in flight finish before the file closes
        self.kiosk.store.close()
