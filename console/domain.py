"""What the operator console plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from console import listings, orders, sampling, suppliers, views, warehouses
from yipin.accounts.models import Role
from yipin.i18n import _l
from yipin.platform import Domain, Link

domain = Domain(
    name="console",
    root=Path(__file__).parent,
    blueprints=[views.bp, suppliers.bp, listings.bp, sampling.bp, warehouses.bp, orders.bp],
    homes={Role.OPERATOR: Link("console.home", _l("Operator console"))},
)
