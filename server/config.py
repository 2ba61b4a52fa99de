"""Settings read from WENMING_* environment variables, with defaults for the embedded demo."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PREFIX = "WENMING_"

# name -> (default, parser). Every setting the app reads is listed here and in the README.
SETTINGS: dict[str, tuple[object, type]] = {
    "DATABASE_URL": ("", str),  # empty: SQLite file in the instance folder
    "SECRET_KEY": ("", str),  # empty: generated once and kept in the instance folder
    "BASE_URL": ("http://127.0.0.1:5000", str),  # the deployment's own domain, printed in codes
    "SQLITE_BUSY_TIMEOUT_MS": (15000, int),
    # Abuse limits (core/limits.py). The storage is shared by every worker and host: Redis.
    # memory:// counts per process: only for a single-process server, set explicitly.
    "RATELIMIT_STORAGE_URI": ("redis://127.0.0.1:6379", str),
    "RATELIMIT_KEY_PREFIX": ("wenming", str),  # Redis keys of this deployment start so
    "RATELIMIT_LOGIN": ("10 per minute", str),  # refused passwords per client address
    "RATELIMIT_LOGIN_ACCOUNT": ("20 per hour", str),  # refused passwords per login name
    "RATELIMIT_CODES": ("120 per minute", str),  # code verifications per client address
    "RATELIMIT_PRESENCE": ("10 per minute", str),  # presence-code posts per volunteer
    "DEFAULT_LOCALE": ("zh_Hans_CN", str),
    "SESSION_COOKIE_SECURE": (None, bool),  # None: secure when BASE_URL is https
    "HSTS_SECONDS": (31536000, int),  # Strict-Transport-Security max-age when https; 0: off
    # Service orders
    "ORDERS_PHONE_DAILY_LIMIT": (5, int),  # orders one phone number may place per local day
    "ORDERS_REOPEN_DAYS": (7, int),  # a resident may reopen within this many days
    "ORDERS_ACCEPT_TIMEOUT_MINUTES": (120, int),  # wait before escalation to the parent unit
    "ORDERS_RATELIMIT": ("10 per minute", str),  # order form posts per client address
    "ORDERS_PHONE_RATELIMIT": ("5 per 10 minutes", str),  # order and rating posts per phone
    "OPEN311_JURISDICTION": ("", str),  # empty: the host of BASE_URL
    "OPEN311_API_KEYS": ("", str),  # comma-separated keys allowed to POST requests.json
    "OPEN311_KEY_RATELIMIT": ("60 per minute", str),  # request posts per API key
    # "south,west,north,east" in degrees; empty: the sites' coordinates and 0.3 degrees around
    "OPEN311_AREA": ("", str),
    "OPEN311_CONTACT": ("", str),  # discovery's contact; empty: the center's name and phone
    # Kiosk health (devices/health.py)
    "KIOSK_ONLINE_MINUTES": (5, int),  # a kiosk heard from this recently is online
    "KIOSK_SILENT_ALERT_MINUTES": (60, int),  # silent longer: listed as an alert
    "KIOSK_CLOCK_WARN_SECONDS": (120, int),  # a kiosk clock off by more is shown as a warning
    # Activities and function rooms
    "ACTIVITIES_SIGNIN_GRACE_MINUTES": (30, int),  # a sign-in this early counts for an activity
    "ACTIVITIES_RATELIMIT": ("10 per minute", str),  # sign-up form posts per client address
    "ROOMS_RATELIMIT": ("10 per minute", str),  # room booking form posts per client address
}


def _parse(raw: str, kind: type) -> object:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def from_environment(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Return the settings found in the environment, parsed, under their short names."""
    environ = os.environ if environ is None else environ
    found = {}
    for name, (_, kind) in SETTINGS.items():
        raw = environ.get(PREFIX + name)
        if raw is not None and raw != "":
            found[name] = _parse(raw, kind)
    return found


def defaults() -> dict[str, object]:
    return {name: default for name, (default, _) in SETTINGS.items()}


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "wenming.sqlite3")


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder so sessions survive restarts of the demo."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
