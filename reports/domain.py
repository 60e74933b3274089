"""What the reports domain plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from reports import cli, models, policies, tasks
from yipin.platform import Domain

domain = Domain(
    name="reports",
    root=Path(__file__).parent,
    models=[models],
    tasks=[tasks],
    commands=[cli.reports_cli],
    seed_reference=policies.seed_reference,
)
