"""What the bureau pages plug into the core (listed by the composition root, ``wsgi.py``)."""

from pathlib import Path

from bureau import api, reports, views
from yipin.accounts.models import Role
from yipin.i18n import _l
from yipin.platform import Domain, Link

domain = Domain(
    name="bureau",
    root=Path(__file__).parent,
    blueprints=[views.bp, reports.bp],
    api=[(api.blp, "/api/v1/bureau")],
    homes={Role.BUREAU: Link("bureau.home", _l("Bureau reports"))},
)
