"""The supplier directory the core's access rules ask (``yipin.platform.SupplierDirectory``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from suppliers.models import Supplier


def exists(session: Session, supplier_id: int) -> bool:
    return session.get(Supplier, supplier_id) is not None


def ids_in_region(region_code: str) -> Any:
    return sa.select(Supplier.id).where(Supplier.region_code.startswith(region_code))
