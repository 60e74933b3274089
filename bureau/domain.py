"""What the bureau pages plug into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from bureau import views
from yipin.platform import Domain

domain = Domain(name="bureau", root=Path(__file__).parent, blueprints=[views.bp])
