"""What the storefront plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from storefront import models, readmodel, views
from storefront.cli import storefront_cli
from yipin.accounts.models import Role
from yipin.platform import Domain, Link

domain = Domain(
    name="storefront",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[views.bp],
    commands=[storefront_cli],
    site_home="storefront.home",
    homes={Role.CONSUMER: Link("storefront.home")},  # consumers shop: no header link
    template_globals={"header_widgets": ["storefront/_search_box.html"]},  # the search box
)

readmodel.install()  # card rows follow every change in its own transaction
