"""Holding stock for orders (预占库存): the only code that changes ``stock.reserved``.

The orders package asks here; it keeps its own record of what it holds (``StockReservation``)
and never writes the stock table itself.

- ``hold_stock`` takes units for several variants at once, all or nothing: it locks the candidate
  rows in ``stock.id`` order (``SELECT … FOR UPDATE``, so two checkouts never deadlock), picks rows
  in open warehouses, and raises ``reserved`` in **one** guarded ``UPDATE … WHERE on_hand -
  reserved >= :q``. Two statements whatever the number of lines. On SQLite (no row locks) the
  guard alone keeps stock from going below zero: a writer that lost the race updates fewer rows
  and the whole hold is refused.
- ``release_holds`` gives units back (expired or cancelled orders); ``ship_holds`` takes shipped
  units off the shelf (``on_hand`` and ``reserved`` together) and logs a ``ship`` movement.

Nothing here calls a payment provider or anything slow: the caller commits right after.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fulfillment.errors import OutOfStock
from fulfillment.models import Stock, StockMovement, StockMovementKind, Warehouse
from yipin import clock, freshness


@dataclass(frozen=True)
class Demand:
    """``quantity`` units of a variant wanted for the caller's ``key`` (an order line)."""

    key: Hashable
    variant_id: int
    quantity: int


@dataclass(frozen=True)
class Hold:
    """Units of one stock row held for ``key``."""

    key: Hashable
    stock_id: int
    quantity: int


@dataclass
class Shortage:
    variant_id: int
    wanted: int
    available: int


class NotEnoughStock(OutOfStock):
    """Some variants cannot be held; ``shortages`` says which and how many are left."""

    def __init__(self, shortages: list[Shortage]) -> None:
        first = shortages[0]
        super().__init__(wanted=first.wanted, available=first.available, field="quantity")
        self.shortages = shortages
        self.errors = {
            "lines": [
                {"variant_id": s.variant_id, "wanted": s.wanted, "available": s.available}
                for s in shortages
            ]
        }


def _sellable_rows(session: Session, variant_ids: Iterable[int], *, lock: bool) -> list[Stock]:
    stmt = (
        sa.select(Stock)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(Stock.variant_id.in_(sorted(set(variant_ids))), Warehouse.is_active.is_(True))
        .order_by(Stock.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update(of=Stock)
    return list(session.scalars(stmt))


def available_units(session: Session, variant_ids: Iterable[int]) -> dict[int, int]:
    """Units each variant has free to sell in open warehouses (one query)."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Stock.variant_id, sa.func.sum(Stock.on_hand - Stock.reserved))
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(Stock.variant_id.in_(ids), Warehouse.is_active.is_(True))
        .group_by(Stock.variant_id)
    ).all()
    found = {variant_id: max(0, int(free or 0)) for variant_id, free in rows}
    return {variant_id: found.get(variant_id, 0) for variant_id in ids}


def _pick(rows: list[Stock], demands: list[Demand]) -> tuple[list[Hold], list[Shortage]]:
    """Rows for each demand: one row that covers it if there is one (the fullest), else the
    fullest rows first (the fewest parcels)."""
    free = {row.id: row.on_hand - row.reserved for row in rows}
    by_variant: dict[int, list[Stock]] = defaultdict(list)
    for row in rows:
        by_variant[row.variant_id].append(row)
    holds: list[Hold] = []
    short: list[Shortage] = []
    for demand in demands:
        candidates = sorted(by_variant[demand.variant_id], key=lambda r: (-free[r.id], r.id))
        total = sum(max(0, free[r.id]) for r in candidates)
        if total < demand.quantity:
            short.append(Shortage(demand.variant_id, demand.quantity, total))
            continue
        left = demand.quantity
        for row in candidates:
            take = min(left, free[row.id])
            if take <= 0:
                continue
            holds.append(Hold(demand.key, row.id, take))
            free[row.id] -= take
            left -= take
            if not left:
                break
    return holds, short


def _per_row(holds: Iterable[Hold] | Iterable[tuple[int, int]]) -> dict[int, int]:
    units: dict[int, int] = defaultdict(int)
    for hold in holds:
        stock_id, quantity = (
            (hold.stock_id, hold.quantity) if isinstance(hold, Hold) else (hold[0], hold[1])
        )
        units[stock_id] += quantity
    return dict(units)


def hold_stock(session: Session, demands: list[Demand]) -> list[Hold]:
    """Hold units for every demand, or none (``NotEnoughStock`` names the short variants)."""
    demands = [d for d in demands if d.quantity > 0]
    if not demands:
        return []
    rows = _sellable_rows(session, (d.variant_id for d in demands), lock=True)
    holds, short = _pick(rows, demands)
    if short:
        raise NotEnoughStock(short)
    units = _per_row(holds)
    amount = sa.case(units, value=Stock.id)
    left = session.execute(
        sa.update(Stock)
        .where(Stock.id.in_(list(units)), Stock.on_hand - Stock.reserved >= amount)
        .values(reserved=Stock.reserved + amount, updated_at=clock.now())
        .returning(Stock.on_hand - Stock.reserved)
        .execution_options(synchronize_session=False)
    ).all()
    updated = len(left)
    _sold_out(session, (available for (available,) in left))
    if updated != len(units):  # another writer took them first (SQLite: no row locks)
        fresh = available_units(session, (d.variant_id for d in demands))
        raise NotEnoughStock(
            [
                Shortage(d.variant_id, d.quantity, fresh.get(d.variant_id, 0))
                for d in demands
                if fresh.get(d.variant_id, 0) < d.quantity
            ]
            or [Shortage(demands[0].variant_id, demands[0].quantity, 0)]
        )
    return holds


def _sold_out(session: Session, available_after: Iterable[int]) -> None:
    """A row that has nothing left may take its variant out of stock: the search page's
    availability follows at the commit (``yipin.freshness``). Other holds flush nothing."""
    if any(available <= 0 for available in available_after):
        freshness.changed(session, "stock")


def _lock(session: Session, stock_ids: list[int]) -> None:
    session.execute(
        sa.select(Stock.id).where(Stock.id.in_(stock_ids)).order_by(Stock.id).with_for_update()
    ).all()


def release_holds(session: Session, holds: Iterable[Hold] | Iterable[tuple[int, int]]) -> None:
    """Give held units back (an expired or cancelled order): ``reserved`` goes down."""
    units = _per_row(holds)
    if not units:
        return
    _lock(session, sorted(units))
    amount = sa.case(units, value=Stock.id)
    rows = session.execute(
        sa.update(Stock)
        .where(Stock.id.in_(list(units)), Stock.reserved >= amount)
        .values(reserved=Stock.reserved - amount, updated_at=clock.now())
        .returning(Stock.id, Stock.on_hand - Stock.reserved)
        .execution_options(synchronize_session=False)
    ).all()
    if len(rows) != len(units):
        raise RuntimeError("released more units than were reserved")  # a bookkeeping bug
    if any(available == units[stock_id] for stock_id, available in rows):
        freshness.changed(session, "stock")  # back in stock: it had none left


def ship_holds(
    session: Session,
    holds: Iterable[Hold] | Iterable[tuple[int, int]],
    *,
    actor_id: int | None,
    reason: str,
) -> None:
    """Units left the warehouse in a parcel: ``on_hand`` and ``reserved`` both go down, and
    each row gets a ``ship`` movement (库存流水)."""
    units = _per_row(holds)
    if not units:
        return
    _lock(session, sorted(units))
    amount = sa.case(units, value=Stock.id)
    now = clock.now()
    rows = session.execute(
        sa.update(Stock)
        .where(Stock.id.in_(list(units)), Stock.reserved >= amount, Stock.on_hand >= amount)
        .values(on_hand=Stock.on_hand - amount, reserved=Stock.reserved - amount, updated_at=now)
        .returning(Stock.id, Stock.supplier_id, Stock.on_hand)
        .execution_options(synchronize_session=False)
    ).all()
    if len(rows) != len(units):
        raise RuntimeError("shipped more units than were reserved")  # a bookkeeping bug
    session.execute(
        sa.insert(StockMovement),
        [
            {
                "stock_id": stock_id,
                "supplier_id": supplier_id,
                "kind": StockMovementKind.SHIP,
                "delta": -units[stock_id],
                "on_hand_after": on_hand,
                "reason": reason[:200],
                "actor_id": actor_id,
                "at": now,
            }
            for stock_id, supplier_id, on_hand in rows
        ],
    )


def hold_rows(session: Session, rows: Iterable[tuple[int, int]]) -> None:
    """Hold units of exactly these stock rows (routing chose them): all or nothing, rows locked
    in ``stock.id`` order, one guarded ``UPDATE``."""
    units = _per_row(rows)
    if not units:
        return
    _lock(session, sorted(units))
    amount = sa.case(units, value=Stock.id)
    left = session.execute(
        sa.update(Stock)
        .where(
            Stock.id.in_(list(units)),
            Stock.on_hand - Stock.reserved >= amount,
            Stock.warehouse_id.in_(sa.select(Warehouse.id).where(Warehouse.is_active.is_(True))),
        )
        .values(reserved=Stock.reserved + amount, updated_at=clock.now())
        .returning(Stock.on_hand - Stock.reserved)
        .execution_options(synchronize_session=False)
    ).all()
    updated = len(left)
    _sold_out(session, (available for (available,) in left))
    if updated != len(units):
        raise NotEnoughStock([Shortage(0, sum(units.values()), 0)])
