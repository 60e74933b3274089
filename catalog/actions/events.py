"""The catalog's outbox topic ``catalog.product_changed``: whatever changes what a product's
pages show (its listing, content, price, batches, certificates, its supplier's right to sell)
emits it once per transaction, and search and caches follow (``catalog.tasks``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Product
from yipin import outbox

PRODUCT_CHANGED = "catalog.product_changed"


def product_changed(session: Session, product_id: int) -> None:
    """The product's listing or what its pages show changed: search and caches follow."""
    outbox.emit(session, PRODUCT_CHANGED, {"product_id": product_id}, once_per_transaction=True)


def supplier_products_changed(session: Session, supplier_id: int) -> list[int]:
    """Something every listed product of the supplier shows changed (its right to sell, a
    supplier-wide certificate): each gets a ``catalog.product_changed``. Returns their ids."""
    ids = list(
        session.scalars(
            sa.select(Product.id)
            .where(Product.supplier_id == supplier_id, Product.is_listed)
            .order_by(Product.id)
        )
    )
    for product_id in ids:
        product_changed(session, product_id)
    return ids
