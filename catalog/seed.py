"""Demo catalog (extended by the catalog capability): nothing yet."""

from __future__ import annotations

from yipin.seed.context import SeedContext


def seed(ctx: SeedContext) -> None:
    """Products, variants, batches, certificates, warehouses, stock and a few orders."""
