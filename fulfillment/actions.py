"""Stock places: the verbs that change warehouses (仓库) and stock per variant per warehouse (库存).

Who may do what:
- operators create, edit, close and reopen any warehouse, run by the platform (统仓共配, no
  supplier) or assigned to a supplier, and may keep any supplier's stock;
- supplier staff create and edit their own supplier-run warehouses, and keep the stock of their
  own variants in their own warehouses or in platform-run shared ones — never in another
  supplier's warehouse (that warehouse "does not exist" for them: 404).

Stock invariants (also enforced by CHECK constraints): ``0 ≤ reserved ≤ on_hand``. Adjustments
are one atomic ``UPDATE … SET on_hand = on_hand + :d WHERE on_hand + :d >= reserved``; setting a
count locks the row (``SELECT … FOR UPDATE``) first, so concurrent changes never lose an update.
Every change of an on-hand count leaves a ``StockMovement``. Stock changes never touch a product's
listing (no new review).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import StorageClass, Variant
from fulfillment.errors import (
    DuplicateWarehouseCode,
    InsufficientStock,
    InvalidQuantity,
    InvalidWarehouse,
    ReasonRequired,
    StorageMismatch,
    WarehouseInactive,
    WarehouseInUse,
    WarehouseRegionLevel,
)
from fulfillment.models import (
    Stock,
    StockMovement,
    StockMovementKind,
    Warehouse,
    WarehouseKind,
)
from suppliers.models import Supplier
from yipin import clock, contact, freshness
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l
from yipin.regions.models import Region, RegionLevel

MAX_UNITS = 10_000_000  # more than any warehouse holds of one SKU: a typo, not stock

KIND_LABELS: dict[WarehouseKind, Any] = {
    WarehouseKind.ORIGIN: _l("Origin warehouse"),
    WarehouseKind.COUNTY_HUB: _l("County logistics centre"),
    WarehouseKind.TOWNSHIP_POINT: _l("Township delivery point"),
    WarehouseKind.VILLAGE_STATION: _l("Village service station"),
    WarehouseKind.FORWARD: _l("Forward warehouse"),
}
# How a sentence says it ("must be kept chilled (0–10 °C)"); pages show the catalog's label
# table of its enum (``catalog.models.STORAGE_CLASS_LABELS``, the ``storage_label`` global).
STORAGE_WORDS: dict[StorageClass, Any] = {
    StorageClass.AMBIENT: _l("ambient (room temperature)"),
    StorageClass.CHILLED: _l("chilled (0–10 °C)"),
    StorageClass.FROZEN: _l("frozen (−18 °C)"),
}
CAPABILITY_LABELS: dict[StorageClass, Any] = {
    StorageClass.AMBIENT: _l("Ambient only"),
    StorageClass.CHILLED: _l("Ambient and chilled"),
    StorageClass.FROZEN: _l("Ambient, chilled and frozen"),
}
LEVEL_LABELS: dict[RegionLevel, Any] = {
    RegionLevel.COUNTY: _l("county"),
    RegionLevel.TOWNSHIP: _l("township"),
    RegionLevel.VILLAGE: _l("village"),
}
# Kinds tied to one level of the region tree: the region is the area the place serves.
KIND_REGION_LEVEL: dict[WarehouseKind, RegionLevel] = {
    WarehouseKind.COUNTY_HUB: RegionLevel.COUNTY,
    WarehouseKind.TOWNSHIP_POINT: RegionLevel.TOWNSHIP,
    WarehouseKind.VILLAGE_STATION: RegionLevel.VILLAGE,
}
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,29}$")


def kind_label(kind: WarehouseKind | str) -> str:
    return str(KIND_LABELS[WarehouseKind(kind)])


def capability_label(storage: StorageClass | str) -> str:
    return str(CAPABILITY_LABELS[StorageClass(storage)])


# ----------------------------------------------------------------------------- warehouses


@dataclass
class WarehouseDraft:
    """What an operator or supplier enters for a warehouse."""

    code: str
    name: str
    kind: WarehouseKind
    region_code: str
    cold_capability: StorageClass = StorageClass.AMBIENT
    address_detail: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    supplier_id: int | None = None  # None: run by the platform (统仓共配)


WAREHOUSE_FIELDS = [f.name for f in fields(WarehouseDraft)]


def _ensure_staff(actor: User) -> None:
    if actor.role not in (Role.OPERATOR, Role.SUPPLIER):
        raise Forbidden()


def _validate_warehouse(session: Session, draft: WarehouseDraft, exclude_id: int | None) -> None:
    draft.code = (draft.code or "").strip().upper()
    draft.name = (draft.name or "").strip()
    draft.address_detail = (draft.address_detail or "").strip()
    draft.contact_name = (draft.contact_name or "").strip()
    draft.contact_phone = (draft.contact_phone or "").strip()
    if not CODE_PATTERN.match(draft.code):
        raise InvalidWarehouse(
            _l("The code is 2 to 30 letters, digits, - or _ (e.g. XW-ORIGIN-01)."), field="code"
        )
    if not draft.name or len(draft.name) > 120:
        raise InvalidWarehouse(
            _l("Give the warehouse a name of at most 120 characters."), field="name"
        )
    if len(draft.address_detail) > 200:
        raise InvalidWarehouse(_l("The address is at most 200 characters."), field="address_detail")
    if len(draft.contact_name) > 60:
        raise InvalidWarehouse(
            _l("The contact name is at most 60 characters."), field="contact_name"
        )
    if draft.contact_phone:
        draft.contact_phone = contact.clean_phone(draft.contact_phone)
    try:
        draft.kind = WarehouseKind(draft.kind)
        draft.cold_capability = StorageClass(draft.cold_capability)
    except ValueError as exc:
        raise InvalidWarehouse(field="kind") from exc
    region = session.get(Region, (draft.region_code or "").strip()) if draft.region_code else None
    if region is None:
        raise InvalidWarehouse(_l("Choose the region from the list."), field="region_code")
    draft.region_code = region.code
    level = KIND_REGION_LEVEL.get(draft.kind)
    if level is not None and region.level != level:
        raise WarehouseRegionLevel(
            kind=KIND_LABELS[draft.kind], level=LEVEL_LABELS[level], field="region_code"
        )
    if len(region.code) < 6:
        raise WarehouseRegionLevel(
            kind=KIND_LABELS[draft.kind],
            level=LEVEL_LABELS[RegionLevel.COUNTY],
            field="region_code",
        )
    if draft.supplier_id is not None and session.get(Supplier, draft.supplier_id) is None:
        raise NotFound(field="supplier_id")
    clash = sa.select(Warehouse.id).where(Warehouse.code == draft.code)
    if exclude_id is not None:
        clash = clash.where(Warehouse.id != exclude_id)
    if session.scalar(clash) is not None:
        raise DuplicateWarehouseCode(warehouse=draft.code, field="code")


def _owned_warehouse(session: Session, actor: User, warehouse_id: int) -> Warehouse:
    """A warehouse the actor may change: any (operators), their own supplier-run (staff)."""
    _ensure_staff(actor)
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(field="warehouse_id")
    if actor.role == Role.SUPPLIER:
        if warehouse.supplier_id is None:
            raise Forbidden(_l("Platform warehouses are managed by the platform's operators."))
        if warehouse.supplier_id != actor.supplier_id:
            raise NotFound(field="warehouse_id")
    return warehouse


def create_warehouse(session: Session, actor: User, draft: WarehouseDraft) -> Warehouse:
    """A new warehouse; supplier staff always create one run by their own supplier."""
    _ensure_staff(actor)
    if actor.role == Role.SUPPLIER:
        draft.supplier_id = actor.supplier_id
    _validate_warehouse(session, draft, None)
    warehouse = Warehouse(is_active=True)
    for name in WAREHOUSE_FIELDS:
        setattr(warehouse, name, getattr(draft, name))
    session.add(warehouse)
    session.flush()
    return warehouse


def update_warehouse(
    session: Session, actor: User, warehouse_id: int, draft: WarehouseDraft
) -> Warehouse:
    """Change a warehouse. A change that would strand stock (another operator, a colder-only
    capability than what it holds) is refused while that stock is there."""
    warehouse = _owned_warehouse(session, actor, warehouse_id)
    if actor.role == Role.SUPPLIER:
        draft.supplier_id = warehouse.supplier_id
    _validate_warehouse(session, draft, warehouse.id)
    if draft.supplier_id != warehouse.supplier_id and draft.supplier_id is not None:
        others = session.scalar(
            sa.select(sa.func.count())
            .select_from(Stock)
            .where(
                Stock.warehouse_id == warehouse.id,
                Stock.supplier_id != draft.supplier_id,
                Stock.on_hand > 0,
            )
        )
        if others:
            raise WarehouseInUse(
                detail=_l("it holds stock of other suppliers."), field="supplier_id"
            )
    if draft.cold_capability != warehouse.cold_capability:
        probe = Warehouse(cold_capability=draft.cold_capability)
        from catalog.models import Product

        held = session.scalars(
            sa.select(Product.storage_class)
            .join(Variant, Variant.product_id == Product.id)
            .join(Stock, Stock.variant_id == Variant.id)
            .where(Stock.warehouse_id == warehouse.id, Stock.on_hand > 0)
            .distinct()
        ).all()
        if any(not probe.can_keep(storage) for storage in held):
            raise WarehouseInUse(
                detail=_l("it holds products that need colder storage."), field="cold_capability"
            )
    for name in WAREHOUSE_FIELDS:
        if getattr(warehouse, name) != getattr(draft, name):
            setattr(warehouse, name, getattr(draft, name))
    session.flush()
    return warehouse


def set_warehouse_active(
    session: Session, actor: User, warehouse_id: int, active: bool
) -> Warehouse:
    """Close or reopen a warehouse. A closed one takes no stock; one with units reserved for
    orders cannot be closed until they have shipped."""
    warehouse = _owned_warehouse(session, actor, warehouse_id)
    if not active and warehouse.is_active:
        reserved = session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Stock.reserved), 0)).where(
                Stock.warehouse_id == warehouse.id
            )
        )
        if reserved:
            raise WarehouseInUse(
                detail=_l("%(n)s units are reserved for orders.", n=reserved), field="is_active"
            )
    warehouse.is_active = active
    session.flush()
    return warehouse


# ----------------------------------------------------------------------------- stock


def _stock_target(
    session: Session, actor: User, variant_id: int, warehouse_id: int, *, adding: bool
) -> tuple[Variant, Warehouse]:
    """The variant and warehouse of a stock change, checked for the actor.

    Another supplier's variant or warehouse is "not found"; a closed warehouse or one too warm
    for the product (when adding units) refuses.
    """
    _ensure_staff(actor)
    variant = session.get(Variant, variant_id) if variant_id is not None else None
    if variant is None or (
        actor.role == Role.SUPPLIER and variant.supplier_id != actor.supplier_id
    ):
        raise NotFound(field="variant_id")
    warehouse = session.get(Warehouse, warehouse_id) if warehouse_id is not None else None
    if warehouse is None or warehouse.supplier_id not in (None, variant.supplier_id):
        raise NotFound(field="warehouse_id")
    if not warehouse.is_active:
        raise WarehouseInactive(warehouse=warehouse.code, field="warehouse_id")
    storage = variant.product.storage_class
    if adding and not warehouse.can_keep(storage):
        raise StorageMismatch(
            product=variant.product.name,
            storage=STORAGE_WORDS[storage],
            warehouse=warehouse.code,
            capability=CAPABILITY_LABELS[warehouse.cold_capability],
            field="warehouse_id",
        )
    return variant, warehouse


def _check_units(value: Any, field: str, *, allow_negative: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuantity(field=field)
    if (value < 0 and not allow_negative) or abs(value) > MAX_UNITS:
        raise InvalidQuantity(field=field)
    return value


def _insert_missing_row(session: Session, variant: Variant, warehouse: Warehouse) -> None:
    """Create the (warehouse, variant) row with 0 units unless it exists (race-free)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(Stock)
        .values(
            warehouse_id=warehouse.id,
            variant_id=variant.id,
            supplier_id=variant.supplier_id,
            on_hand=0,
            reserved=0,
            updated_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["warehouse_id", "variant_id"])
    )


def _lock_row(session: Session, variant_id: int, warehouse_id: int) -> Stock:
    return session.scalars(
        sa.select(Stock)
        .where(Stock.variant_id == variant_id, Stock.warehouse_id == warehouse_id)
        .with_for_update(of=Stock)
        .execution_options(populate_existing=True)
    ).one()


def _record(
    session: Session,
    actor: User,
    stock: Stock,
    kind: StockMovementKind,
    delta: int,
    reason: str,
) -> None:
    session.add(
        StockMovement(
            stock_id=stock.id,
            supplier_id=stock.supplier_id,
            kind=kind,
            delta=delta,
            on_hand_after=stock.on_hand,
            reason=reason[:200],
            actor_id=actor.id,
            at=clock.now(),
        )
    )


def set_on_hand(
    session: Session,
    actor: User,
    variant_id: int,
    warehouse_id: int,
    on_hand: int,
    *,
    reason: str = "",
    kind: StockMovementKind = StockMovementKind.SET,
) -> Stock:
    """Set the counted units of a variant in a warehouse (盘点). Never below what is reserved."""
    on_hand = _check_units(on_hand, "on_hand")
    variant, warehouse = _stock_target(session, actor, variant_id, warehouse_id, adding=on_hand > 0)
    _insert_missing_row(session, variant, warehouse)
    stock = _lock_row(session, variant.id, warehouse.id)
    if on_hand < stock.reserved:
        raise InsufficientStock(on_hand=stock.on_hand, reserved=stock.reserved, field="on_hand")
    delta = on_hand - stock.on_hand
    if delta:
        stock.on_hand = on_hand
        stock.updated_at = clock.now()
        _record(session, actor, stock, kind, delta, (reason or "").strip())
        freshness.changed(session, "stock")  # the search page's availability follows
    session.flush()
    return stock


def adjust_stock(
    session: Session, actor: User, variant_id: int, warehouse_id: int, delta: int, reason: str
) -> Stock:
    """Add or remove units (+ received, − damaged …) in one atomic update; refused if it would
    leave fewer units than are reserved (so never below zero)."""
    delta = _check_units(delta, "delta", allow_negative=True)
    if delta == 0:
        raise InvalidQuantity(_l("Give a change other than 0."), field="delta")
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(field="reason")
    if len(reason) > 200:
        raise ReasonRequired(_l("The reason is at most 200 characters."), field="reason")
    variant, warehouse = _stock_target(session, actor, variant_id, warehouse_id, adding=delta > 0)
    _insert_missing_row(session, variant, warehouse)
    row = session.execute(
        sa.update(Stock)
        .where(
            Stock.variant_id == variant.id,
            Stock.warehouse_id == warehouse.id,
            Stock.on_hand + delta >= Stock.reserved,
        )
        .values(on_hand=Stock.on_hand + delta, updated_at=clock.now())
        .returning(Stock.id)
        .execution_options(synchronize_session=False)
    ).first()
    stock = session.scalars(
        sa.select(Stock)
        .where(Stock.variant_id == variant.id, Stock.warehouse_id == warehouse.id)
        .execution_options(populate_existing=True)
    ).one()
    if row is None:
        raise InsufficientStock(on_hand=stock.on_hand, reserved=stock.reserved, field="delta")
    _record(session, actor, stock, StockMovementKind.ADJUST, delta, reason)
    freshness.changed(session, "stock")
    session.flush()
    return stock


def import_stock(
    session: Session, actor: User, variant_id: int, warehouse_id: int, on_hand: int, *, reason: str
) -> Stock:
    """Set the counted units from a row of the catalog's bulk import (an ``import`` movement)."""
    return set_on_hand(
        session,
        actor,
        variant_id,
        warehouse_id,
        on_hand,
        reason=reason,
        kind=StockMovementKind.IMPORT,
    )
