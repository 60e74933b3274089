"""What orders plug into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from orders import models
from yipin.platform import Domain

domain = Domain(name="orders", root=Path(__file__).parent, models=[models])
