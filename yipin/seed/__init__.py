"""Seeding: reference data every installation needs, and the demo platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Echo = Callable[[str], Any]


def seed_reference_data(echo: Echo = print) -> None:
    """Regions, categories, grade standards and regional brands (idempotent)."""
    from yipin.seed.reference import run

    run(echo)


def seed_demo_data(random_seed: int = 20261123, echo: Echo = print) -> None:
    """The demo platform on top of the reference data."""
    from yipin.seed.demo import run

    run(random_seed, echo)
