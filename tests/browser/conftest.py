"""A live server in a thread and the system Chromium driven by Playwright."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port."""
    from server.core.db import writing
    from server.demo.operations import load_district
    from server.extensions import db

    with app.app_context(), writing():
        load_district()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():  # in CI this fails the run; `make test` installs it
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shot(backend):
    """shot(page, name) saves a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}-{backend}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


AXE_CACHE = Path.home() / ".cache" / "wenming-test" / "axe-core"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry, cached outside the repository (never committed)."""
    script = AXE_CACHE / "package" / "axe.min.js"
    if not script.exists():
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(["npm", "pack", "axe-core@4", "--json", "--pack-destination",
                              str(AXE_CACHE)], check=True, capture_output=True, text=True)
        tarball = AXE_CACHE / json.loads(out.stdout)[0]["filename"]
        subprocess.run(["tar", "xzf", str(tarball), "-C", str(AXE_CACHE)], check=True)
    return script.read_text()


@pytest.fixture
def catalog_item(db, network):
    from server.ledger import catalog

    item = catalog.save_item(network["library"], name="环保购物袋", kind="goods",
                             cost_points=30, stock=5)
    catalog.save_item(network["library"], name="爱心理发", kind="service", cost_points=500)
    db.session.commit()
    return item


@pytest.fixture
def kiosk(tmp_path, teams, menu, catalog_item, live_backend, enrollment_code):
    """A kiosk app enrolled at the library through the API, synced once (menu and catalog
    cached). For the browser tests it stands in for the plugin's headless `kiosk`."""
    from kiosk.app import KioskApp
    from kiosk.client import Client
    from tests.fixtures.kiosk import empty_frame, wait_until, write_frame

    server = f"http://127.0.0.1:{live_backend.port}"
    camera = tmp_path / "camera"
    write_frame(camera, "a-room.png", empty_frame())
    app = KioskApp(server, str(tmp_path / "data"), str(camera), port=0, refresh_seconds=1.0)
    app.kiosk.apply_enrollment(Client(server).enroll(enrollment_code(), "测试机", "t"))
    app.camera = camera
    app.sync.first_backoff = app.sync.max_backoff = 0.3
    app.scanner.repeat_seconds = 1.0
    app.start()
    wait_until(lambda: app.kiosk.store.get("menu") and app.kiosk.store.get("catalog"),
               message="the kiosk never cached the menu and the catalog")
    yield app
    app.stop()
