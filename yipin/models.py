"""Import every model module so the metadata (Alembic, create_all) sees all tables."""

from catalog import models as catalog_models
from fulfillment import models as fulfillment_models
from orders import models as orders_models
from suppliers import models as suppliers_models
from yipin import notifications
from yipin.accounts import models as accounts_models
from yipin.outbox import models as outbox_models
from yipin.regions import models as regions_models

__all__ = [
    "accounts_models",
    "catalog_models",
    "fulfillment_models",
    "notifications",
    "orders_models",
    "outbox_models",
    "regions_models",
    "suppliers_models",
]
