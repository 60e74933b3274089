"""What the suppliers domain plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from suppliers import api, authorisations_api, directory, models, seed, views
from suppliers.cli import suppliers_cli
from yipin.accounts.models import Role
from yipin.i18n import _l
from yipin.platform import Domain, Link

domain = Domain(
    name="suppliers",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[views.bp],
    api=[(api.blp, "/api/v1/suppliers"), (authorisations_api.blp, "/api/v1/brand-authorisations")],
    commands=[suppliers_cli],
    seed_demo=seed.seed,  # 36 suppliers over the 18 counties, their owners and staff
    demo_logins=seed.demo_logins,
    homes={Role.SUPPLIER: Link("suppliers_portal.home", _l("Supplier portal"))},
    links={
        "signup": [
            Link(
                "suppliers_portal.apply",
                _l("apply to sell on the platform"),
                lead=_l("Cooperatives, family farms and enterprises:"),
            )
        ]
    },
    supplier_directory=directory,
    template_globals=views.TEMPLATE_GLOBALS,  # the suppliers' label tables
    # a supplier's right to sell shows or hides its products at the commit (not when the
    # catalog's job has run)
    page_topics={"suppliers.verification_changed": "catalog"},
)
