"""What the storefront plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from storefront import views
from yipin.platform import Domain

domain = Domain(name="storefront", root=Path(__file__).parent, blueprints=[views.bp])
