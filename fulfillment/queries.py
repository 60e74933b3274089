"""Reads of the stock places: warehouse lists with stock totals, the supplier's stock table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog.models import Product, Variant
from fulfillment.models import Stock, StockMovement, Warehouse, WarehouseKind
from yipin.accounts.models import Role, User
from yipin.regions.models import Region

LOW_STOCK_DEFAULT = 10  # available units at or below which a cell is highlighted


def warehouse_scope(stmt: Any, user: User) -> Any:
    """Warehouses a user may see: all (operators), own and platform-run (supplier staff), those
    in the bureau's region (bureau), none (consumers)."""
    if user.role == Role.OPERATOR:
        return stmt
    if user.role == Role.SUPPLIER:
        return stmt.where(
            sa.or_(Warehouse.supplier_id.is_(None), Warehouse.supplier_id == user.supplier_id)
        )
    if user.role == Role.BUREAU:
        return stmt.where(Warehouse.region_code.startswith(user.bureau_scope, autoescape=True))
    return stmt.where(sa.false())


def stock_scope(stmt: Any, user: User) -> Any:
    """Stock rows a user may see: all (operators), own supplier's (staff), the bureau's region
    (by warehouse), none (consumers)."""
    if user.role == Role.OPERATOR:
        return stmt
    if user.role == Role.SUPPLIER:
        return stmt.where(Stock.supplier_id == user.supplier_id)
    if user.role == Role.BUREAU:
        in_region = sa.select(Warehouse.id).where(
            Warehouse.region_code.startswith(user.bureau_scope, autoescape=True)
        )
        return stmt.where(Stock.warehouse_id.in_(in_region))
    return stmt.where(sa.false())


@dataclass
class WarehouseRow:
    warehouse: Warehouse
    on_hand: int
    reserved: int
    skus: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def warehouses_stmt(
    user: User,
    *,
    county: str | None = None,
    kind: WarehouseKind | None = None,
    operator: str | None = None,
    active: bool | None = None,
) -> Any:
    """A select of warehouses in the user's scope, filtered (open ones first).

    ``operator``: "platform" for platform-run, "supplier" for supplier-run, else both.
    """
    stmt = (
        sa.select(Warehouse)
        .options(joinedload(Warehouse.supplier))
        .order_by(Warehouse.is_active.desc(), Warehouse.region_code, Warehouse.code)
    )
    stmt = warehouse_scope(stmt, user)
    if county:
        stmt = stmt.where(Warehouse.region_code.startswith(county, autoescape=True))
    if kind:
        stmt = stmt.where(Warehouse.kind == kind)
    if operator == "platform":
        stmt = stmt.where(Warehouse.supplier_id.is_(None))
    elif operator == "supplier":
        stmt = stmt.where(Warehouse.supplier_id.is_not(None))
    if active is not None:
        stmt = stmt.where(Warehouse.is_active.is_(active))
    return stmt


def with_totals(session: Session, warehouses: list[Warehouse], user: User) -> list[WarehouseRow]:
    """Stock totals of each warehouse in one query. Supplier staff see only their own units
    (a shared warehouse also holds other suppliers' stock)."""
    ids = [w.id for w in warehouses]
    found: dict[int, tuple[int, int, int]] = {}
    if ids:
        stmt = (
            sa.select(
                Stock.warehouse_id,
                sa.func.sum(Stock.on_hand),
                sa.func.sum(Stock.reserved),
                sa.func.count(Stock.id).filter(Stock.on_hand > 0),
            )
            .where(Stock.warehouse_id.in_(ids))
            .group_by(Stock.warehouse_id)
        )
        if user.role == Role.SUPPLIER:
            stmt = stmt.where(Stock.supplier_id == user.supplier_id)
        found = {
            wid: (int(o or 0), int(r or 0), int(n or 0)) for wid, o, r, n in session.execute(stmt)
        }
    return [WarehouseRow(w, *found.get(w.id, (0, 0, 0))) for w in warehouses]


def warehouse_counties(session: Session, user: User) -> list[Region]:
    """The counties that have warehouses the user can see (for the county filter)."""
    codes = session.scalars(
        warehouse_scope(sa.select(sa.func.substr(Warehouse.region_code, 1, 6)).distinct(), user)
    ).all()
    if not codes:
        return []
    return list(
        session.scalars(sa.select(Region).where(Region.code.in_(codes)).order_by(Region.code))
    )


def usable_warehouses(session: Session, supplier_id: int) -> list[Warehouse]:
    """Open warehouses where a supplier may keep stock: its own, then the platform's shared."""
    return list(
        session.scalars(
            sa.select(Warehouse)
            .where(
                Warehouse.is_active.is_(True),
                sa.or_(Warehouse.supplier_id.is_(None), Warehouse.supplier_id == supplier_id),
            )
            .order_by(Warehouse.supplier_id.is_(None), Warehouse.region_code, Warehouse.code)
        )
    )


def stock_warehouses(session: Session, supplier_id: int) -> list[Warehouse]:
    """Every warehouse where a supplier may keep stock (its own and the platform's shared, open
    or closed: the stock actions say why a closed one refuses), for the bulk import."""
    return list(
        session.scalars(
            sa.select(Warehouse).where(
                sa.or_(Warehouse.supplier_id.is_(None), Warehouse.supplier_id == supplier_id)
            )
        )
    )


@dataclass
class StockTable:
    """The supplier's stock page: variants (rows) × warehouses (columns)."""

    variants: list[Variant]
    warehouses: list[Warehouse]
    cells: dict[tuple[int, int], Stock] = field(default_factory=dict)
    low: int = LOW_STOCK_DEFAULT

    def cell(self, variant_id: int, warehouse_id: int) -> Stock | None:
        return self.cells.get((variant_id, warehouse_id))

    def total_available(self, variant_id: int) -> int:
        return sum(s.available for (v, _w), s in self.cells.items() if v == variant_id)


def stock_variants(
    supplier_id: int, *, text: str = "", low_only: bool = False, low: int = 10
) -> Any:
    """A select of the supplier's variants for the stock page (optionally only low ones)."""
    stmt = (
        sa.select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.supplier_id == supplier_id)
        .options(selectinload(Variant.product))
        .order_by(Product.name, Product.id, Variant.sort_order, Variant.id)
    )
    text = text.strip()
    if text:
        stmt = stmt.where(  # % and _ match themselves (autoescape)
            sa.or_(
                Product.name.icontains(text, autoescape=True),
                Variant.sku.icontains(text, autoescape=True),
            )
        )
    if low_only:
        available = (
            sa.select(sa.func.coalesce(sa.func.sum(Stock.on_hand - Stock.reserved), 0))
            .where(Stock.variant_id == Variant.id)
            .scalar_subquery()
        )
        stmt = stmt.where(available <= low)
    return stmt


def stock_table(
    session: Session, supplier_id: int, variants: list[Variant], low: int = LOW_STOCK_DEFAULT
) -> StockTable:
    """Cells for a page of variants; columns are the supplier's open warehouses and every
    warehouse where it holds stock."""
    ids = [v.id for v in variants]
    stocks = (
        list(
            session.scalars(
                sa.select(Stock).where(Stock.variant_id.in_(ids), Stock.supplier_id == supplier_id)
            )
        )
        if ids
        else []
    )
    used = set(
        session.scalars(
            sa.select(Stock.warehouse_id).where(Stock.supplier_id == supplier_id).distinct()
        )
    )
    warehouses = list(
        session.scalars(
            sa.select(Warehouse)
            .where(
                sa.or_(
                    Warehouse.id.in_(used) if used else sa.false(),
                    sa.and_(Warehouse.supplier_id == supplier_id, Warehouse.is_active.is_(True)),
                )
            )
            .order_by(Warehouse.supplier_id.is_(None), Warehouse.region_code, Warehouse.code)
        )
    )
    return StockTable(
        variants=variants,
        warehouses=warehouses,
        cells={(s.variant_id, s.warehouse_id): s for s in stocks},
        low=low,
    )


def recent_movements(session: Session, supplier_id: int, limit: int = 15) -> list[StockMovement]:
    return list(
        session.scalars(
            sa.select(StockMovement)
            .where(StockMovement.supplier_id == supplier_id)
            .options(
                joinedload(StockMovement.stock)
                .joinedload(Stock.variant)
                .joinedload(Variant.product)
            )
            .order_by(StockMovement.at.desc(), StockMovement.id.desc())
            .limit(limit)
        )
    )


def warehouse_stock(warehouse_id: int, user: User) -> Any:
    """A select of one warehouse's stock rows (with variant and product) in the user's scope."""
    stmt = (
        sa.select(Stock)
        .where(Stock.warehouse_id == warehouse_id)
        .options(joinedload(Stock.variant).joinedload(Variant.product))
        .join(Variant, Variant.id == Stock.variant_id)
        .order_by(Stock.supplier_id, Variant.sku)
    )
    return stock_scope(stmt, user)
