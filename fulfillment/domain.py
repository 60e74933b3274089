"""What fulfillment plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from fulfillment import api, models, portal, seed, shipping, tasks
from fulfillment.routing import api as routing_api
from fulfillment.routing import models as routing_models
from fulfillment.routing import network, views
from fulfillment.routing import seed as routing_seed
from fulfillment.routing.cli import fulfillment_cli
from yipin.platform import Domain


def _seed_reference(session):  # type: ignore[no-untyped-def]
    counts = {"shipping rates and services": shipping.load_rate_card(session)}
    counts.update({f"routing {k}": v for k, v in network.load_network(session).items()})
    return counts


def _seed_demo(ctx):  # type: ignore[no-untyped-def]
    seed.seed(ctx)  # warehouses of every kind and the opening stock
    routing_seed.seed_demo(ctx)  # their capacity, cut-off, operators, places; 统仓共配


domain = Domain(
    name="fulfillment",
    root=Path(__file__).parent,
    models=[models, routing_models],
    blueprints=[portal.bp, views.console_bp, views.supplier_bp],
    api=[(api.blp, "/api/v1"), (routing_api.blp, "/api/v1")],
    tasks=[tasks],  # routing's jobs, fed by the orders' and our own outbox topics
    commands=[fulfillment_cli],
    seed_reference=_seed_reference,
    seed_demo=_seed_demo,
    template_globals={
        "tracking_timeline": views.tracking_timeline,
        "tracking_timelines": views.tracking_timelines,
    },
)
