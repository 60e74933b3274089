"""Who may act on a product, and loading it for a change (shared by the catalog's actions).

The owning supplier's staff (any role) and operators may edit; another supplier's staff are
told the product is missing (404), bureau and consumer accounts are refused. ``actor=None`` is
the system (seed, jobs).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Product
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound


def ensure_may_edit(actor: User | None, supplier_id: int) -> None:
    """The owning supplier's staff (any role) and operators; others are refused."""
    if actor is None or actor.role == Role.OPERATOR:
        return
    if actor.role == Role.SUPPLIER:
        if actor.supplier_id != supplier_id:
            raise NotFound()
        return
    raise Forbidden()


def ensure_operator(actor: User | None) -> None:
    if actor is not None and actor.role != Role.OPERATOR:
        raise Forbidden()


def get_or_404(session: Session, model: Any, ident: Any, field_name: str) -> Any:
    obj = session.get(model, ident) if ident is not None else None
    if obj is None:
        raise NotFound(field=field_name)
    return obj


def load_product(session: Session, product_id: int, *, lock: bool = True) -> Product:
    """The product, its row locked for this transaction (so revisions and statuses serialise)."""
    if lock and session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            sa.select(Product.id).where(Product.id == product_id).with_for_update()
        ).first()
        if found is None:
            raise NotFound(field="product_id")
        product = session.get(Product, product_id, populate_existing=True)
    else:
        product = session.get(Product, product_id)
    if product is None:
        raise NotFound(field="product_id")
    return product
