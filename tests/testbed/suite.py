"""What the pytest fixtures call: the servers, ``require`` and this run's namespace (its own
PostgreSQL database and Redis database on the shared servers)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from .common import ALIASES, ENV_VARS, Server, _is_ci, testbed_dir
from .elasticsearch import Elasticsearch
from .postgres import Postgres
from .redis import Redis
from .stripe_mock import StripeMock

SERVER_CLASSES: tuple[type[Server], ...] = (Postgres, Redis, Elasticsearch, StripeMock)


def get_servers(base_dir: str | os.PathLike[str] | None = None) -> dict[str, Server]:
    """The servers keyed by name: postgres, redis, elasticsearch, stripe-mock."""
    root = testbed_dir(base_dir)
    return {cls.name: cls(root) for cls in SERVER_CLASSES}


def namespace() -> str:
    """This run's private slice of the shared servers: ``YIPIN_TEST_NAMESPACE`` (a checkout
    running beside another) and the pytest-xdist worker, joined; empty for a plain run."""
    parts = [os.environ.get("YIPIN_TEST_NAMESPACE", ""), os.environ.get("PYTEST_XDIST_WORKER", "")]
    return "_".join(p for p in parts if p)


def _trailing_number(text: str) -> int:
    digits = ""
    for char in reversed(text):
        if not char.isdigit():
            break
        digits = char + digits
    return int(digits) if digits else 0


def redis_db_number() -> int:
    """This namespace's Redis database (of 64): ``slot * 4 + worker``, 0 for a plain run.

    The slot is the number that ends ``YIPIN_TEST_NAMESPACE`` (``h3`` → 3; 16 slots, so
    ``h1``–``h15`` each have their own and none shares the plain run's), the worker the number
    that ends the xdist worker id (``gw1`` → 1; the suite runs at most 4 here). With 8 slots
    of 8, ``h8`` flushed, and worked the jobs of, the plain run's databases."""
    slot = _trailing_number(os.environ.get("YIPIN_TEST_NAMESPACE", "")) % 16
    worker = _trailing_number(os.environ.get("PYTEST_XDIST_WORKER", "")) % 4
    return slot * 4 + worker


def database_url(base_url: str) -> str:
    """``base_url`` with this namespace's database name (``yipin_test_h3_gw1``)."""
    ns = namespace()
    if not ns:
        return base_url
    head, _, name = base_url.rpartition("/")
    return f"{head}/{name}_{ns}"


def redis_url(base_url: str) -> str:
    """``base_url`` pointing at this namespace's Redis database."""
    head, _, _db = base_url.rpartition("/")
    return f"{head}/{redis_db_number()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_redis(base: Path) -> Redis:
    """A Redis of its own under ``base`` on a free port, for a test that stops and restarts it
    (the shared one serves other checkouts and xdist workers at the same time)."""
    server = Redis(base)
    server.port = free_port()
    return server


def private_elasticsearch(base: Path) -> Elasticsearch:
    """An Elasticsearch of its own on free ports, data under ``base``, run from the test bed's
    installed distribution (same modules and plugins), for a test that stops it. ``base`` must
    be reachable by the service user: use :func:`private_dir`."""
    shared = Elasticsearch(testbed_dir())
    server = Elasticsearch(base)
    server.home, server.zip = shared.home, shared.zip
    server.port, server.transport_port = free_port(), free_port()
    server.java_opts = "-Xms256m -Xmx256m"
    return server


def private_dir(prefix: str) -> Path:
    """A fresh directory under the test bed's base (the service user can reach it there,
    unlike pytest's temporary directories under /tmp/pytest-of-root)."""
    import tempfile

    root = testbed_dir() / "private"
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        root.chmod(0o755)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=root))
    path.chmod(0o755)
    return path


def require(name: str) -> str:
    """URL (or path) of a provisioned server, from its environment variable.

    name: postgres, redis, elasticsearch, stripe or chromium. When the variable is
    missing the calling test is skipped, or failed under CI=true.
    """
    import pytest

    key = ALIASES.get(name, name)
    var = ENV_VARS.get(key)
    if var is None:
        raise ValueError(f"unknown server {name!r}; known: {', '.join(ENV_VARS)}")
    value = os.environ.get(var)
    if value:
        return value
    message = f"{key} is not provisioned (${var} unset): run ./scripts/test"
    if _is_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
