"""What the catalog plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from catalog import models, reference, seed, tasks, views
from catalog.api import products as products_api
from catalog.api import reference as reference_api
from catalog.cli import catalog_cli
from catalog.importer import api as imports_api
from catalog.importer import views as imports_views
from catalog.trace import api as trace_api
from catalog.trace import portal as trace_portal
from catalog.trace import views as trace_views
from yipin.platform import Domain

domain = Domain(
    name="catalog",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[views.bp, trace_portal.bp, imports_views.bp, trace_views.bp],
    api=[
        (reference_api.blp, "/api/v1"),
        (products_api.blp, "/api/v1"),
        (trace_api.blp, "/api/v1"),
        (imports_api.blp, "/api/v1"),
    ],
    tasks=[tasks],
    commands=[catalog_cli],
    seed_reference=reference.load_reference,  # categories, grade standards, regional brands
    seed_demo=seed.seed,  # products, pictures, certificates, batches, samples
    # the label tables of the catalog's enums and its page helpers, for every page
    template_globals={**views.TEMPLATE_GLOBALS, **trace_views.TEMPLATE_GLOBALS},
    # whatever changes a product's pages emits it: cached pages follow at the commit
    page_topics={"catalog.product_changed": "catalog"},
)
