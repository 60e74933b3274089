"""What search plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from search import api, engine, index, models, tasks
from search.cli import search_cli
from yipin.platform import Domain

domain = Domain(
    name="search",
    root=Path(__file__).parent,
    models=[models],
    api=[(api.blp, "/api/v1/search")],
    tasks=[tasks],
    commands=[search_cli],
    health={"search": engine.ping},
    seed_demo=index.seed_demo,
)
