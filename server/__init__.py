"""文明服务码 server: create_app builds the Flask app; nothing touches the database at import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from . import config as settings
from .extensions import babel, csrf, db, migrate

MIGRATIONS_DIR = __path__[0] + "/migrations"
#: What the user interfaces and the print shop share lives at the repository's root (assets/);
#: the web pages' part (assets/web: css/, icons/) is served as /static, straight from there.
ASSETS_DIR = Path(__path__[0]).resolve().parent / "assets"


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then WENMING_* environment variables, then the caller's override (tests)."""
    app = Flask(__name__, instance_relative_config=True,
                static_folder=str(ASSETS_DIR / "web"), static_url_path="/static")
    from .core import edge

    app.json = edge.JSONProvider(app)
    edge.install_converters(app)
    app.config.update(settings.defaults())
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)
    _derive(app)

    from .features import import_models

    import_models()  # the whole schema, for Alembic and relationships

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    babel.init_app(app, locale_selector=_select_locale, default_timezone="Asia/Shanghai")
    csrf.init_app(app)

    from .core import db as core_db
    from .core import faults, limits, security, web

    limits.configure(app)
    limits.init_app(app)
    core_db.init_app(app)
    security.init_app(app)
    web.init_app(app)
    faults.init_app(app)
    edge.init_app(app)
    _register_blueprints(app)

    from .core.backup import backup_command
    from .demo.cli import group as demo_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_command)
    return app


def ready_to_serve(app: Flask) -> Flask:
    """Call once per server process after start-up (server/wsgi.py does). Modules, mappers,
    compiled SQL and the app live as long as the process; gc.freeze() moves them to the
    permanent generation, so a collection walks only what requests allocate. Measured
    in-process: collections had taken ~10% of a kiosk sign's CPU (1.60 -> 1.44 ms) and ~12% of
    a one-INSERT request's."""
    import gc

    gc.collect()
    gc.freeze()
    return app


def _select_locale():
    from .core.i18n import select_locale

    return select_locale()


def _derive(app: Flask) -> None:
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        url = cfg["DATABASE_URL"] or settings.sqlite_url(app.instance_path)
        if url.startswith("sqlite:///") and not cfg["DATABASE_URL"]:
            import os

            os.makedirs(app.instance_path, exist_ok=True)
        # psycopg 3 is the PostgreSQL driver; accept the plain scheme people paste.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix):]
        cfg["SQLALCHEMY_DATABASE_URI"] = url
    from .core.db import engine_options

    cfg.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg["SQLITE_BUSY_TIMEOUT_MS"]),
    )
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = settings.instance_secret(app.instance_path)
    https = cfg["BASE_URL"].startswith("https://")
    secure = cfg["SESSION_COOKIE_SECURE"]
    cfg["SESSION_COOKIE_SECURE"] = https if secure is None else secure
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=12))
    from .core import security

    security.configure(app)
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LOCALE"]
    cfg["BABEL_TRANSLATION_DIRECTORIES"] = __path__[0] + "/translations"
    # Flask's defaults hold the key as None, so setdefault would leave the body unbounded: the
    # ceiling over all routes (core.edge caps each route below it).
    if cfg.get("MAX_CONTENT_LENGTH") is None:
        cfg["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024


def _register_blueprints(app: Flask) -> None:
    from .core.api import bp as api_bp
    from .core.elder import bp as elder_bp
    from .core.i18n import bp as i18n_bp
    from .dashboard import bp as dashboard_bp
    from .features import init_features

    app.register_blueprint(api_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(elder_bp)
    app.register_blueprint(dashboard_bp)
    init_features(app)
