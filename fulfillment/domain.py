"""What fulfillment plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from fulfillment import api, models, portal, seed, shipping, tasks
from yipin.platform import Domain

domain = Domain(
    name="fulfillment",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[portal.bp],
    api=[(api.blp, "/api/v1")],
    tasks=[tasks],  # routing's triggers from the order side (filled in by issue 9)
    seed_reference=lambda session: {
        "shipping rates and services": shipping.load_rate_card(session)
    },
    seed_demo=seed.seed,  # warehouses of every kind and the opening stock
)
