"""What the suppliers domain plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from suppliers import api, authorisations_api, labels, models, seed, views
from suppliers.cli import suppliers_cli
from yipin.platform import Domain

domain = Domain(
    name="suppliers",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[views.bp],
    api=[(api.blp, "/api/v1/suppliers"), (authorisations_api.blp, "/api/v1/brand-authorisations")],
    commands=[suppliers_cli],
    seed_demo=seed.seed,  # 36 suppliers over the 18 counties, their owners and staff
    demo_logins=seed.demo_logins,
    template_globals={
        "supplier_kind_label": labels.kind_label,
        "supplier_status_label": labels.status_label,
    },
)
