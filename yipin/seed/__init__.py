"""Seeding: reference data every installation needs, and the demo platform.

The core seeds its own data (regions; the demo's operator, bureau and consumer accounts); each
domain seeds its own through the seed steps of its ``Domain``, run in the composition root's
dependency order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Echo = Callable[[str], Any]


def seed_reference_data(echo: Echo = print) -> None:
    """Regions, then each domain's reference data (categories, grade standards, …). Idempotent."""
    from yipin.seed.reference import run

    run(echo)


def seed_demo_data(random_seed: int = 20261123, echo: Echo = print) -> None:
    """The demo platform on top of the reference data."""
    from yipin.seed.demo import run

    run(random_seed, echo)
