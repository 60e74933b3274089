"""Fixtures of the API contract tests: the world every run starts from, searchable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.api.world import World, build_world


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """The world (tests/api/world.py) in the database and in search (its own Elasticsearch
    indices when Elasticsearch is configured, dropped afterwards)."""
    from search import engine, index
    from tests.search.conftest import drop_indices

    built = build_world(app)
    index.reindex()
    yield built
    if engine.uses_elasticsearch():
        drop_indices(app)
