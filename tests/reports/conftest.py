"""Fixtures of the report tests: a world of suppliers selling through the ledger, the Ganzhou
policy loaded, and the outbox run so the rollups are current."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from reports import policies
from tests.reports.world import World, build_world
from yipin import clock
from yipin.db import db

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)


@pytest.fixture
def world(app: Flask, reference: None) -> World:
    clock.freeze(NOW)
    built = build_world()
    policies.load(db.session)
    db.session.commit()
    return built


@pytest.fixture
def roll_up(jobs):  # type: ignore[no-untyped-def]
    """Commit, then run the outbox (the ledger's topic rebuilds the rollups)."""

    def run() -> None:
        from yipin.db import commit

        commit()
        jobs.run()

    return run
