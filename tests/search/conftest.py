"""Fixtures of the search tests: the shared Elasticsearch with this test's own indices, the
corpus (``tests/search/corpus.py``) loaded and indexed, a private Elasticsearch to stop."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from search import engine, index
from tests import testbed
from tests.search import corpus
from yipin import clock
from yipin.db import db

NEEDED = {"analysis-common", "analysis-ik"}


def require_analysis(url: str) -> None:
    """The server speaks the stock analysis names (edge_ngram, asciifolding …) and has IK:
    a shared server started before the test bed installed them needs a restart."""
    nodes = requests.get(f"{url}/_nodes/_local/plugins", timeout=5).json()["nodes"]
    node = next(iter(nodes.values()))
    loaded = {m["name"] for m in node["modules"]} | {p["name"] for p in node["plugins"]}
    missing = sorted(NEEDED - loaded)
    if missing:
        message = (
            f"Elasticsearch at {url} has not loaded {', '.join(missing)}: it was started before "
            "the test bed installed them; restart it (python -m tests.testbed restart "
            "elasticsearch) when nobody is using it"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def drop_indices(app: Flask) -> None:
    es = engine.client(app)
    names = es.indices.get(index=f"{index.alias()}*", allow_no_indices=True)
    for name in names:
        es.options(ignore_status=404).indices.delete(index=name)
    app.extensions.pop("yipin_search_breaker", None)


@pytest.fixture
def es(app: Flask) -> Iterator[Any]:
    """The shared Elasticsearch, with this process's index prefix (cleaned up after)."""
    url = testbed.require("elasticsearch")
    require_analysis(url)
    drop_indices(app)
    yield engine.client(app)
    drop_indices(app)


@pytest.fixture
def december(app: Flask) -> Iterator[None]:
    clock.freeze(corpus.NOW)
    yield
    clock.reset()


@pytest.fixture
def catalog(
    request: pytest.FixtureRequest, app: Flask, reference: None, december: None
) -> dict[str, int]:
    """The corpus in the database and in search: the SQL engine's rows, and an Elasticsearch
    index when the test asked for the ``es`` fixture."""
    ids = corpus.load()
    db.session.commit()
    index.reindex(elasticsearch="es" in request.fixturenames)
    return ids


@pytest.fixture
def embedded_catalog(embedded_app: Flask, embedded_reference: None) -> Iterator[dict[str, int]]:
    clock.freeze(corpus.NOW)
    ids = corpus.load()
    db.session.commit()
    index.reindex()
    yield ids
    clock.reset()


@pytest.fixture
def private_es() -> Iterator[testbed.Elasticsearch]:
    """An Elasticsearch of this test's own (never stop the shared one), from the test bed's
    installed distribution, on free ports."""
    testbed.require("elasticsearch")
    base = testbed.private_dir("es")
    server = testbed.private_elasticsearch(base)
    server.start()
    try:
        require_analysis(server.url)
        yield server
    finally:
        server.stop()
        import shutil

        shutil.rmtree(base, ignore_errors=True)
