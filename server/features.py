"""The capabilities, in load order. Each is a package under server/ with an `init_app(app)`.

A feature may also have `models.py` (imported so Alembic sees the whole schema), `cli.py` with
`groups` (Flask AppGroups), `demo.py` with `load() -> dict[str, int]` (called by `flask demo
load`, in this order), and nav entries registered with `add_nav`.
"""

from __future__ import annotations

import importlib
import importlib.util

from flask import Flask

FEATURES = (
    "sites",
    "users",
    "codes",
    "volunteers",
    "shifts",
    "ledger",
    "orders",
    "devices",
    "projects",
    "honors",
    "activities",
    "rooms",
    "audit",
    "reports",
)


def _module(feature: str, name: str):
    dotted = f"{__package__}.{feature}.{name}"
    if importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def import_models() -> None:
    from .core import audit  # noqa: F401  (core's own table)

    for feature in FEATURES:
        _module(feature, "models")


def demo_loaders():
    """(feature, load) pairs, in dependency order."""
    for feature in FEATURES:
        module = _module(feature, "demo")
        if module is not None:
            yield feature, module.load


def add_nav(app: Flask, endpoint: str, label, section: str, order: int) -> None:
    """A link in the dashboard's top navigation; `section` is the blueprint that marks it active."""
    nav = app.extensions.setdefault("wenming_nav", [])
    nav.append({"endpoint": endpoint, "label": label, "section": section, "order": order})
    nav.sort(key=lambda item: item["order"])


def _contribute(app: Flask, key: str, part, order: int) -> None:
    parts = app.extensions.setdefault(key, [])
    parts.append((order, part))
    parts.sort(key=lambda item: item[0])


def _rendered(app: Flask, key: str, site) -> list:
    rendered = (part(site) for _, part in app.extensions.get(key, []))
    return [html for html in rendered if html]


def add_landing(app: Flask, section, order: int) -> None:
    """Content on a point's landing page (what a phone sees after scanning a poster):
    `section(site) -> Markup | None`, rendered below the place, in `order`."""
    _contribute(app, "wenming_landing", section, order)


def landing_sections(app: Flask, site) -> list:
    """The landing page's contributed sections for `site`, rendered, empty ones left out."""
    return _rendered(app, "wenming_landing", site)


def add_site_panel(app: Flask, panel, order: int) -> None:
    """A part of a site's dashboard page (`/admin/sites/<id>`), contributed by the feature
    that owns what it shows (its code, its kiosks, its shifts, its orders):
    `panel(site) -> Markup | None`, for a site the admin was already authorized for, in
    `order`."""
    _contribute(app, "wenming_site_panels", panel, order)


def site_panels(app: Flask, site) -> list:
    """The site page's contributed panels for `site`, rendered, empty ones left out."""
    return _rendered(app, "wenming_site_panels", site)


def init_features(app: Flask) -> None:
    for feature in FEATURES:
        package = importlib.import_module(f"{__package__}.{feature}")
        package.init_app(app)
        cli = _module(feature, "cli")
        for group in getattr(cli, "groups", ()):
            app.cli.add_command(group)
