"""What the operator console plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from console import listings, sampling, suppliers, views, warehouses
from yipin.platform import Domain

domain = Domain(
    name="console",
    root=Path(__file__).parent,
    blueprints=[views.bp, suppliers.bp, listings.bp, sampling.bp, warehouses.bp],
)
