"""What the reports domain plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from reports import api, cli, models, policies, seed, tasks, web
from yipin.platform import Domain

domain = Domain(
    name="reports",
    root=Path(__file__).parent,
    models=[models],
    blueprints=[web.console_bp, web.portal_bp],
    api=[(api.blp, "/api/v1/reports")],
    tasks=[tasks],
    commands=[cli.reports_cli],
    seed_reference=policies.seed_reference,
    seed_demo=seed.seed,
)
