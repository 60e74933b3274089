"""Who may manage a supplier (used by the other action modules)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from suppliers.errors import (
    OwnerOnly,
)
from suppliers.models import (
    Supplier,
)
from yipin.accounts.models import Role, User
from yipin.errors import NotFound


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound()
    return supplier


def managed_supplier(
    session: Session, actor: User, supplier_id: int, *, owner_only: bool
) -> Supplier:
    """The supplier, if ``actor`` may manage it: operators, or its owner (its staff get 403)."""
    if actor.is_operator:
        return get_supplier(session, supplier_id)
    if actor.role != Role.SUPPLIER or actor.supplier_id != supplier_id:
        raise NotFound()
    if owner_only and not actor.is_supplier_owner:
        raise OwnerOnly()
    return get_supplier(session, supplier_id)
