"""What search plugs into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from search import engine
from yipin.platform import Domain

domain = Domain(name="search", root=Path(__file__).parent, health={"search": engine.ping})
