"""The house's layout: qr is a library with a small surface; the kiosk and the server depend on
it and on nothing of each other."""

from __future__ import annotations

import ast
from pathlib import Path

import qr

ROOT = Path(__file__).resolve().parents[1]


def _imported(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of `package` imports (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_qr_depends_on_neither_the_server_nor_the_kiosk():
    offenders = {m: n & {"server", "kiosk"} for m, n in _imported("qr").items()
                 if n & {"server", "kiosk"}}
    assert offenders == {}


def test_the_kiosk_depends_on_qr_and_not_on_the_server():
    modules = _imported("kiosk")
    assert {m for m, n in modules.items() if "server" in n} == set()
    assert any("qr" in n for n in modules.values())


def test_the_server_does_not_import_the_kiosk():
    assert {m for m, n in _imported("server").items() if "kiosk" in n} == set()


def test_qr_names_a_small_public_surface_that_all_exists():
    assert len(qr.__all__) <= 10
    assert all(hasattr(qr, name) for name in qr.__all__)
    assert not any(name in qr.__all__ for name in ("Poster", "Card", "find_cjk_font"))


def _fixtures_in(module: str) -> set[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any("fixture" in ast.unparse(d) for d in node.decorator_list)}


def test_no_test_module_imports_fixtures_fixture_modules_are_plugins():
    """Shared fixtures are plugins (tests/conftest.py `pytest_plugins`); a test module imports
    helpers, never a fixture, from anywhere in tests/."""
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
                fixtures = _fixtures_in(node.module) & {alias.name for alias in node.names}
                if fixtures:
                    offenders.append((str(path.relative_to(ROOT)), node.module, sorted(fixtures)))
    assert offenders == []
    from tests import conftest

    assert all((ROOT / (m.replace(".", "/") + ".py")).exists() for m in conftest.pytest_plugins)


def test_the_kiosk_and_the_server_read_their_shared_values_from_qr_contract(tmp_path):
    from datetime import timedelta

    from kiosk import core, flows
    from kiosk.core import Kiosk
    from kiosk.ui import create_ui
    from qr import contract
    from server.orders import models as orders
    from server.orders import text
    from server.shifts import operations as shifts

    assert timedelta(seconds=contract.DEBOUNCE_SECONDS) == shifts.DEBOUNCE
    assert core.DEBOUNCE_SECONDS == contract.DEBOUNCE_SECONDS
    assert text.PHONE.pattern == flows.PHONE.pattern == contract.PHONE_PATTERN
    for name in ("PLACE_MAX", "NOTE_MAX", "COMMENT_MAX", "TAGS_MAX", "TAG_MAX"):
        assert getattr(orders, name) == getattr(flows, name) == getattr(contract, name)
    # The touchscreen's script gets the pattern from the page, not from a copy of its own.
    script = (ROOT / "kiosk" / "static" / "flows.js").read_text(encoding="utf-8")
    assert contract.PHONE_PATTERN not in script and "CONTRACT.phone_pattern" in script
    kiosk = Kiosk("http://127.0.0.1:9", tmp_path)
    try:
        page = create_ui(kiosk).test_client().get("/").get_data(as_text=True)
    finally:
        kiosk.store.close()
    assert '<script id="contract" type="application/json">' in page
    assert '"phone_pattern": "1[3-9]\\\\d{9}"' in page
