"""What the catalog plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from catalog import (
    imports_portal,
    models,
    portal,
    reference,
    seed,
    tasks,
    trace,
    trace_portal,
)
from catalog.api import imports as imports_api
from catalog.api import products as products_api
from catalog.api import reference as reference_api
from catalog.api import trace as trace_api
from catalog.cli import catalog_cli
from yipin.platform import Domain

domain = Domain(
    name="catalog",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[portal.bp, trace_portal.bp, imports_portal.bp, trace.bp],
    api=[
        (reference_api.blp, "/api/v1"),
        (products_api.blp, "/api/v1"),
        (trace_api.blp, "/api/v1"),
        (imports_api.blp, "/api/v1"),
    ],
    tasks=[tasks],
    commands=[catalog_cli],
    seed_reference=reference.load_reference,  # categories, grade standards, regional brands
    seed_demo=seed.seed,  # products, batches, certificates, warehouses, stock
)
