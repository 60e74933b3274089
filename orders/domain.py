"""What orders plug into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from orders import after_sales, labels, models, portal, seed, tasks, views, web
from orders.api import addresses, admin, cart, payments, sub_orders
from orders.api import orders as orders_api
from orders.cli import orders_cli
from orders.payments import stripe_gateway
from yipin.i18n import _l
from yipin.platform import Domain, Link

domain = Domain(
    name="orders",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[web.bp, views.bp, portal.bp],
    api=[
        (cart.blp, "/api/v1"),
        (orders_api.blp, "/api/v1"),
        (payments.blp, "/api/v1"),
        (sub_orders.blp, "/api/v1"),
        (addresses.blp, "/api/v1"),
        (admin.blp, "/api/v1"),
    ],
    tasks=[tasks],
    commands=[orders_cli],
    seed_reference=lambda session: {"after-sales rules": after_sales.load_rules(session)},
    seed_demo=seed.seed,  # a year of orders through the checkout's actions
    health={"payments": stripe_gateway.ping},
    links={  # the header: guests and consumers see the cart, consumers their orders
        "guest_header": [Link("orders.cart", _l("Cart"))],
        "shopper_header": [Link("orders.cart", _l("Cart")), Link("orders.orders", _l("My orders"))],
    },
    template_globals={"order_label": labels.label, "order_event_label": labels.event_label},
)
