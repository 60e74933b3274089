"""Fixtures: the app on real servers (PostgreSQL, Redis + RQ, Elasticsearch, stripe-mock) or on
the embedded defaults (SQLite, in-process jobs, fallback search, offline payments).

The schema is built once per session by the Alembic migrations on each database; after every
test the tables (except the region reference data) are emptied and Redis is flushed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import testbed
from wsgi import create_app
from yipin import clock
from yipin.db import db

pytest_plugins = ["tests.browser.fixtures"]  # live_server, browser, page for every package

KEEP_TABLES = {"regions", "alembic_version"}
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}
# Tests change rows directly (factories emit no outbox topic), so pages render every time;
# placeholders and per-user splicing still run. tests/storefront/test_freshness.py turns the
# page cache on.
NO_PAGE_CACHE = {"PAGE_CACHE": False}


# ----------------------------------------------------------------------------- databases


def _build_schema(url: str) -> None:
    """Run the migrations and load the regions into an empty database."""
    from flask_migrate import upgrade

    from yipin.regions.loader import load_regions

    app = create_app({"TESTING": True, "DATABASE_URL": url, **FAST_HASHING})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        load_regions(db.session)
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = testbed.database_url(testbed.require("postgres"))
    _ensure_database(url)
    _build_schema(url)
    return url


def _ensure_database(url: str) -> None:
    """Create this namespace's PostgreSQL database when it does not exist yet."""
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(
        sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "yipin-test.sqlite3"
    url = f"sqlite:///{path}"
    _build_schema(url)
    return url


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        db.session.execute(sa.text("PRAGMA foreign_keys = OFF"))
        for table in reversed(tables):
            db.session.execute(table.delete())
        db.session.execute(sa.text("DELETE FROM sqlite_sequence")) if _has_sequence() else None
    db.session.commit()


def _has_sequence() -> bool:
    return bool(
        db.session.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).first()
    )


# ----------------------------------------------------------------------------- the app


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_databases`` run once on PostgreSQL and once on SQLite."""
    if "database" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("database", ["postgresql", "sqlite"] if both else ["postgresql"])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``--dist loadgroup``) the browser tests run on one worker: one
    Chromium for the run instead of one per worker, on a machine of two cores."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path


@pytest.fixture
def real_config(request: pytest.FixtureRequest, database: str, media_dir: Path) -> dict[str, Any]:
    """App configuration on the real servers (the database may be SQLite when asked)."""
    url = (
        request.getfixturevalue("postgres_url")
        if database == "postgresql"
        else request.getfixturevalue("sqlite_url")
    )
    cfg: dict[str, Any] = {
        "TESTING": True,
        "DATABASE_URL": url,
        "REDIS_URL": testbed.redis_url(testbed.require("redis")),
        "MEDIA_DIR": str(media_dir),
        "SERVER_NAME": None,
        **FAST_HASHING,
        **NO_PAGE_CACHE,
    }
    es = os.environ.get("YIPIN_TEST_ELASTICSEARCH_URL")
    if es:
        cfg["ELASTICSEARCH_URL"] = es
        cfg["ELASTICSEARCH_INDEX_PREFIX"] = f"yipin-test-{os.getpid()}"
    stripe_base = os.environ.get("YIPIN_TEST_STRIPE_API_BASE")
    if stripe_base:
        cfg.update(
            STRIPE_SECRET_KEY="sk_test_123",
            STRIPE_PUBLISHABLE_KEY="pk_test_123",
            STRIPE_WEBHOOK_SECRET="whsec_test_yipin",
            STRIPE_API_BASE=stripe_base,
        )
    return cfg


@pytest.fixture
def app(real_config: dict[str, Any]) -> Iterator[Flask]:
    """The app on the real servers, inside an app context; emptied afterwards."""
    yield from _app_with(real_config, reuse=True)


@pytest.fixture
def embedded_app(sqlite_url: str, media_dir: Path) -> Iterator[Flask]:
    """The app on the embedded defaults: SQLite, in-process jobs, fallback search, offline pay."""
    cfg = {
        "TESTING": True,
        "DATABASE_URL": sqlite_url,
        "MEDIA_DIR": str(media_dir),
        **FAST_HASHING,
        **NO_PAGE_CACHE,
    }
    yield from _app_with(cfg)


class _LastApp:
    """The app the previous test ran on, with its configuration as built.

    Building the app (every route compiled, the OpenAPI document generated) costs about a
    second, so a test asking for the same configuration as the previous one gets that app back
    as it was built (configuration and extension state restored, tables emptied). Only when no
    other app was built since: ``create_app`` binds the global extension objects (the API and
    its spec, the rate limiter) to the app it builds last, and tests build apps of their own."""

    key: str | None = None
    app: Flask | None = None
    config: dict[str, Any] = {}
    extensions: frozenset[str] = frozenset()

    @classmethod
    def keep(cls, key: str | None, application: Flask | None) -> None:
        cls.key, cls.app = key, application
        if application is not None:
            cls.config = dict(application.config)
            cls.extensions = frozenset(application.extensions)

    @classmethod
    def restore(cls, application: Flask) -> None:
        """As built: the configuration, and no state the app made while the test ran (the
        search breaker, the Redis and Elasticsearch clients live in ``app.extensions``)."""
        application.config.clear()
        application.config.update(cls.config)
        for name in set(application.extensions) - cls.extensions:
            del application.extensions[name]

    @classmethod
    def get(cls, key: str) -> Flask | None:
        from yipin.extensions import api

        if cls.app is not None and cls.key == key and getattr(api, "_app", None) is cls.app:
            return cls.app
        return None


def _build_app(cfg: dict[str, Any]) -> Flask:
    instance = tempfile.mkdtemp(prefix="yipin-instance-")
    old = os.environ.get("YIPIN_INSTANCE_PATH")
    os.environ["YIPIN_INSTANCE_PATH"] = instance
    try:
        application = create_app(cfg)
    finally:
        if old is None:
            os.environ.pop("YIPIN_INSTANCE_PATH", None)
        else:
            os.environ["YIPIN_INSTANCE_PATH"] = old
    application.test_client_class = Client
    return application


def _app_with(cfg: dict[str, Any], *, reuse: bool = False) -> Iterator[Flask]:
    """The app for one test; ``reuse``: the previous test's when its configuration was the same
    (the media folder aside, which is the test's own). Not for the embedded default: its
    in-process outbox sweep keeps time per app."""
    key = repr(sorted((k, repr(v)) for k, v in cfg.items() if k != "MEDIA_DIR"))
    application = _LastApp.get(key) if reuse else None
    if application is None:
        application = _build_app(cfg)
        if reuse:
            _LastApp.keep(key, application)
        else:
            _LastApp.keep(None, None)
    from yipin.extensions import limiter

    application.config["MEDIA_DIR"] = cfg.get("MEDIA_DIR") or application.config["MEDIA_DIR"]
    with application.app_context():
        _empty_tables()
        _flush_redis(application)
        _drop_search_indices(application, leftovers=True)
        limiter.reset()
        yield application
        clock.reset()
        db.session.remove()
        _empty_tables()
        _flush_redis(application)
        _drop_search_indices(application)
        db.session.remove()
        db.engine.dispose()
    if application is _LastApp.app:
        _LastApp.restore(application)


_LEFTOVER_INDICES_DROPPED: set[str] = set()


def _drop_search_indices(application: Flask, *, leftovers: bool = False) -> None:
    """Empty Elasticsearch of this process's indices, as the tables are emptied.

    Tests on the real servers share one index prefix per process (``yipin-test-<pid>``), and
    the first product sync creates the index (a job run by ``jobs.run()``, a reindex): a later
    test would search what an earlier one indexed. After a test that used Elasticsearch (its
    app made a client); and once per process before the first test (``leftovers``), for
    indices a finished run with the same process id left behind."""
    prefix = application.config.get("ELASTICSEARCH_INDEX_PREFIX")
    if not application.config.get("ELASTICSEARCH_URL") or not prefix:
        return
    if leftovers:
        if prefix in _LEFTOVER_INDICES_DROPPED:
            return
        _LEFTOVER_INDICES_DROPPED.add(prefix)
    elif "yipin_es" not in application.extensions:
        return
    from elasticsearch import Elasticsearch

    es = Elasticsearch(application.config["ELASTICSEARCH_URL"], request_timeout=5, max_retries=0)
    # a test may have stopped a private Elasticsearch it pointed the app at
    with contextlib.suppress(Exception), es:
        names = es.indices.get(index=f"{prefix}-*", allow_no_indices=True, expand_wildcards="all")
        for name in names:
            es.options(ignore_status=404).indices.delete(index=name)


def _flush_redis(application: Flask) -> None:
    if application.config.get("REDIS_URL"):
        from yipin import jobs

        # a test may have stopped Redis; it restarts it itself
        with contextlib.suppress(Exception):
            jobs.redis_connection(application.config["REDIS_URL"]).flushdb()


# ----------------------------------------------------------------------------- clients


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Client(FlaskClient):
    """A test client that knows how to fetch a CSRF token and fill forms.

    Each request runs in its own app context (as in production), not in the test's: ``g``,
    the logged-in user and the database session are per request. The test's own session is
    committed before the request (so the request sees what the test made) and expired after
    (so the test sees what the request changed).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from flask.globals import _cv_app

        if _cv_app.get(None) is not None:
            db.session.commit()
        token = _cv_app.set(None)  # type: ignore[arg-type]
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if _cv_app.get(None) is not None:
                db.session.expire_all()

    def csrf_token(self) -> str:
        page = self.get("/login").get_data(as_text=True)
        if "csrf-token" not in page:
            page = self.get("/").get_data(as_text=True)
        match = CSRF_META.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def submit(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        """POST a form as a browser would: with the session's CSRF token."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kw)

    def api(self, method: str, url: str, **kw: Any) -> Any:
        """A JSON API call from the logged-in browser session (CSRF header like the site's JS)."""
        headers = dict(kw.pop("headers", {}) or {})
        if method.upper() not in ("GET", "HEAD"):
            headers.setdefault("X-CSRFToken", self.csrf_token())
        return self.open(url, method=method.upper(), headers=headers, **kw)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def embedded_client(embedded_app: Flask) -> FlaskClient:
    return embedded_app.test_client()


PASSWORD = "Passw0rd-yipin"


def login(client: Client, user: Any, password: str = PASSWORD) -> Any:
    """Log ``user`` in through the real login form."""
    response = client.submit("/login", {"login": user.login, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client: Client) -> Any:
    def do(user: Any, password: str = PASSWORD) -> Client:
        login(client, user, password)
        return client

    return do


# ----------------------------------------------------------------------------- data


@pytest.fixture
def reference(app: Flask) -> None:
    """Categories, grade standards and regional brands (what ``flask setup`` loads)."""
    from catalog.reference import load_reference

    load_reference(db.session)
    db.session.commit()


@pytest.fixture
def embedded_reference(embedded_app: Flask) -> None:
    from catalog.reference import load_reference

    load_reference(db.session)
    db.session.commit()


# ----------------------------------------------------------------------------- query counts


class QueryCounter:
    """The SQL statements sent to the database inside one ``with count_queries()`` block."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:  # an assertion's message: the statements, one per line
        return "\n".join(self.statements)


@pytest.fixture
def count_queries() -> Callable[[], AbstractContextManager[QueryCounter]]:
    """``with count_queries() as queries: ...`` then ``assert queries.count <= 9, queries``.

    Counts on the app of the test (``app`` or ``embedded_app``). What the test made before the
    block is committed first, so only the block's own statements (a page, an API call) are
    counted: pinned counts catch an N+1 (CONVENTIONS 11)."""

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        db.session.commit()
        counter = QueryCounter()
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting


# ----------------------------------------------------------------------------- jobs


class Jobs:
    """Runs the RQ queue in this process, like a worker in burst mode."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def run(self) -> int:
        """Dispatch due outbox entries, then work the queue empty; returns jobs finished."""
        from rq.registry import FinishedJobRegistry

        from yipin import jobs
        from yipin.outbox import service

        service.dispatch_due()
        queue = jobs.queue(self.app)
        finished = FinishedJobRegistry(queue=queue)
        before = finished.count
        jobs.make_worker(self.app, simple=True).work(burst=True, logging_level="WARNING")
        return finished.count - before

    def dispatch(self) -> int:
        from yipin.outbox import service

        return service.dispatch_due()


@pytest.fixture
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[testbed.Redis]:
    """A Redis server of this test's own, for tests that stop it (never stop the shared one)."""
    testbed.require("redis")
    server = testbed.private_redis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def jobs(app: Flask) -> Jobs:
    return Jobs(app)
