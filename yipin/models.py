"""Import the core's model modules so the metadata sees its tables (each domain lists its own
model modules in its ``Domain``; the composition root imports them all)."""

from yipin import freshness, notifications, ratelimit
from yipin.accounts import models as accounts_models
from yipin.media import models as media_models
from yipin.outbox import models as outbox_models
from yipin.regions import models as regions_models

__all__ = [
    "accounts_models",
    "freshness",
    "media_models",
    "notifications",
    "outbox_models",
    "ratelimit",
    "regions_models",
]
