"""Fixtures of the stock places tests."""

from __future__ import annotations

import pytest

from tests.fulfillment.world import World, build_world


@pytest.fixture
def world(app, reference) -> World:
    return build_world()
