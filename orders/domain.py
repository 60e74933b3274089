"""What orders plug into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from orders import models, seed
from orders.payments import stripe_gateway
from yipin.platform import Domain

domain = Domain(
    name="orders",
    root=Path(__file__).parent,
    models=[models],
    health={"payments": stripe_gateway.ping},
    seed_demo=seed.seed,  # paid orders that record their batches
)
