"""Fixtures: app, db, client, runner and factories, on SQLite and (when configured) PostgreSQL.

Every test that asks for `app` runs once per backend. TEST_DATABASE_URL switches PostgreSQL on;
in CI it must be set and reachable, or the run fails instead of quietly skipping half the suite.
"""

from __future__ import annotations

import contextvars
import os
import re

import pytest
from sqlalchemy import create_engine, text

#: Fixture modules shared across test folders, as indico's testing plugins: loaded here, never
#: imported by a test module (a folder's own conftest.py may still override a name locally).
pytest_plugins = [
    "tests.fixtures.qr_keys",
    "tests.fixtures.codes",
    "tests.fixtures.devices",
    "tests.fixtures.orders",
    "tests.fixtures.activities",
    "tests.fixtures.kiosk",
]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
BASE_URL = "https://zhaohua.example.org"

if os.environ.get("CI") and not TEST_DATABASE_URL:
    raise pytest.UsageError("CI must run the PostgreSQL suite: set TEST_DATABASE_URL")


def _server_url() -> str:
    url = TEST_DATABASE_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _run_on_server(statement: str) -> None:
    engine = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    except Exception as error:  # a missing server is a failure, never a skip
        pytest.fail(f"cannot reach PostgreSQL at TEST_DATABASE_URL: {error}", pytrace=False)
    finally:
        engine.dispose()


def _ensure_extensions() -> None:
    """btree_gist (the rooms' exclusion constraint) lives in the database, not in a test
    schema: made once in public, so dropping a test schema never drops it for the others.
    Two processes creating it at once: the loser finds it made."""
    engine = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            try:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"))
            except Exception:
                if not conn.execute(text("SELECT 1 FROM pg_extension "
                                         "WHERE extname = 'btree_gist'")).first():
                    raise
    except Exception as error:  # a missing server is a failure, never a skip
        pytest.fail(f"cannot prepare PostgreSQL at TEST_DATABASE_URL: {error}", pytrace=False)
    finally:
        engine.dispose()


def _postgres_url(name: str, request) -> str:
    """A schema of its own per test process (xdist worker or not), dropped at the end, so
    several runs can share the `test` database at once."""
    schema = f"t_{name}_{os.getpid()}"
    _ensure_extensions()
    _run_on_server(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    _run_on_server(f'CREATE SCHEMA "{schema}"')
    request.addfinalizer(lambda: _run_on_server(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    url = _server_url()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated, empty database for this worker and backend."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        url = _postgres_url(os.environ.get("PYTEST_XDIST_WORKER", "main"), request)
    from server import create_app
    from server.extensions import db

    # The models' own DDL (with the triggers attached to them): fast, and tests/test_migrations.py
    # proves the Alembic revisions build exactly this schema on both backends.
    app = create_app(_test_config(url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


# TEST_INSTRUMENTED=1 runs the suite with Flask-SQLAlchemy's query recording and SQL echo on,
# as a deployment with standard instrumentation would (CI runs the whole suite so once), so
# that nothing in the product can break them silently.
INSTRUMENTED = os.environ.get("TEST_INSTRUMENTED") == "1"

# Abuse limits are tested against the real Redis (make test and .ci/run start one), under a
# key prefix of this test process's own, emptied before each test that switches limits on.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_PREFIX = os.environ.get("TEST_REDIS_PREFIX") or \
    f"wenming-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


def _test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": BASE_URL,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": REDIS_PREFIX,
        # Redis must answer in tests: a fallback to memory would hide a broken set-up.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "SERVER_NAME": None,
        "SQLALCHEMY_RECORD_QUERIES": INSTRUMENTED,
        "SQLALCHEMY_ECHO": INSTRUMENTED,
    }


def _empty_all_tables(db) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            if table.info.get("append_only"):
                # Triggers refuse DELETE on append-only tables (the ledger): drop and recreate
                # it instead; create() re-attaches its triggers.
                table.drop(db.session.connection())
                table.create(db.session.connection())
            else:
                db.session.execute(table.delete())
    db.session.commit()


def _isolated(call):
    """Run `call` in an empty context, as a real request or command would run: with an app
    context, g and db.session of its own, not the test's (which the `db` fixture holds)."""

    def run(*args, **kwargs):
        return contextvars.Context().run(call, *args, **kwargs)

    return run


@pytest.fixture
def app(database_url, request):
    from flask.testing import FlaskClient, FlaskCliRunner

    from server import create_app
    from server.extensions import db

    class Client(FlaskClient):
        open = _isolated(FlaskClient.open)

    class Runner(FlaskCliRunner):
        invoke = _isolated(FlaskCliRunner.invoke)

    config = _test_config(database_url)
    marker = request.node.get_closest_marker("app_config")
    if marker:
        config.update(marker.args[0])
    app = create_app(config)
    app.test_client_class = Client
    app.test_cli_runner_class = Runner
    with app.app_context():
        _empty_all_tables(db)
        if app.config["RATELIMIT_ENABLED"]:
            from server.extensions import limiter

            limiter.reset()  # this process's counters only (its own key prefix)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db(app):
    from server.extensions import db

    with app.app_context():
        yield db
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def count_statements(db):
    """with count_statements() as seen: ... — the SQL statements run on the app's engine in
    the block, in order (as indico's count_queries): for statement budgets."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        seen: list[str] = []

        def listen(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)

    return counting


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


# ---- factories ---------------------------------------------------------------------------

PASSWORD = "correct-horse-battery"


@pytest.fixture
def create_site(db):
    """create_site(kind, name, parent=None, **fields) -> Site, committed."""
    from server.sites import operations

    def create(kind, name, parent=None, **fields):
        site = operations.create_site(kind=kind, name=name, parent=parent, **fields)
        db.session.commit()
        return site

    return create


@pytest.fixture
def network(create_site):
    """A small tree: center → two institutes → a station each → a point under one station."""
    center = create_site("center", "测试区新时代文明实践中心")
    east = create_site("institute", "东镇新时代文明实践所", center)
    west = create_site("institute", "西镇新时代文明实践所", center)
    east_station = create_site("station", "东村新时代文明实践站", east)
    west_station = create_site("station", "西村新时代文明实践站", west)
    library = create_site("point", "东村图书室", east_station)
    return {"center": center, "east": east, "west": west, "east_station": east_station,
            "west_station": west_station, "library": library}


@pytest.fixture
def create_admin(db):
    """create_admin(role, site, username=None) -> AdminUser with password PASSWORD."""
    from server.users.operations import create_user

    counter = iter(range(1, 10_000))

    def create(role, site, username=None):
        user = create_user(username or f"admin{next(counter)}", PASSWORD, role, site)
        db.session.commit()
        return user

    return create


def csrf_token_in(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def login(client):
    """login(user) logs the test client in through the real form; returns the CSRF token."""

    def do_login(user, password=PASSWORD):
        page = client.get("/login")
        token = csrf_token_in(page.get_data(as_text=True))
        response = client.post("/login", data={"username": user.username, "password": password,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client.get("/api/v1/me").get_json()["csrf_token"]

    return do_login


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(dict): extra settings for the app fixture")
