"""Fixtures of the stock places tests."""

from __future__ import annotations

import pytest

from tests.fulfillment.world import World, build_world


@pytest.fixture
def world(app, reference) -> World:
    return build_world()


@pytest.fixture
def shop(app, reference):
    """The order tests' shop with the carrier network loaded, clock at 2026-11-20 12:00 CST."""
    from tests.fulfillment.routing_world import network
    from tests.orders.conftest import NOW
    from tests.orders.world import build_shop
    from yipin import clock
    from yipin.db import db

    clock.freeze(NOW)
    built = build_shop()
    network()
    db.session.commit()
    return built
