"""What a routing decision reads: the sub-order's lines, the warehouses with their stock and
batches, the carriers' services, zones and rates, and the operators' rule ranking.

``load_facts`` reads all of it in a fixed number of queries, whatever the number of
warehouses, carriers and rates; the engine (``fulfillment.routing.engine``) decides over it
without touching the database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Batch, BatchStatus, Product, Variant
from catalog.models.reference import StorageClass
from fulfillment.models import Stock, Warehouse
from fulfillment.routing.models import (
    Carrier,
    CarrierCoverage,
    CarrierRate,
    CarrierService,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    RoutingRule,
    RuleCode,
    ServiceKind,
    Zone,
    ZoneRule,
)
from orders.models import Order, OrderLine, ReservationState, StockReservation, SubOrder
from yipin import clock

# ----------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class LineFact:
    line_id: int
    variant_id: int
    quantity: int
    storage: StorageClass
    unit_weight_g: int
    product_name: str
    origin_region_code: str
    shelf_life_days: int


@dataclass(frozen=True)
class WarehouseFact:
    id: int
    code: str
    name: str
    region_code: str
    cold: StorageClass
    supplier_id: int | None
    capacity: int | None
    cutoff: str
    latitude: float | None
    longitude: float | None
    consolidates: bool


@dataclass(frozen=True)
class StockFact:
    stock_id: int
    warehouse_id: int
    variant_id: int
    free: int  # on hand − reserved + what this sub-order already holds there


@dataclass(frozen=True)
class RateFact:
    zone: Zone
    first_weight_g: int
    first_fen: int
    step_weight_g: int
    step_fen: int
    cold_surcharge_fen: int
    remote_surcharge_fen: int
    promised_days: int

    def cost(self, weight_g: int, *, cold: bool, village: bool) -> int:
        extra = max(0, weight_g - self.first_weight_g)
        fen = self.first_fen + math.ceil(extra / self.step_weight_g) * self.step_fen
        if cold:
            fen += self.cold_surcharge_fen
        if village or self.zone == Zone.REMOTE:
            fen += self.remote_surcharge_fen
        return fen


@dataclass(frozen=True)
class ServiceFact:
    id: int
    code: str
    name: str
    carrier_id: int
    carrier_code: str
    carrier_name: str
    kind: ServiceKind
    cold_class: StorageClass
    reaches_villages: bool
    rates: dict[Zone, RateFact]


@dataclass(frozen=True)
class BatchFact:
    id: int
    variant_id: int
    expires_on: date
    left: int


@dataclass
class Facts:
    sub_order_id: int
    sub_order_number: str
    supplier_id: int
    destination: str  # region code of the address (or the pickup point)
    destination_name: str
    lines: list[LineFact]
    warehouses: dict[int, WarehouseFact]
    stock: list[StockFact]
    held: dict[int, dict[int, int]]  # line id → {stock id: units this sub-order holds}
    load: dict[tuple[int, str], int]  # (warehouse, local date) → parcels routed
    services: list[ServiceFact]
    coverage: dict[int, list[tuple[str, bool]]]  # carrier → (region prefix, reaches villages)
    zones: dict[tuple[str, str], Zone]
    rules: list[tuple[RuleCode, bool]]  # in rank order, with enabled
    batches: dict[int, list[BatchFact]]  # variant → batches, earliest expiry first
    now: datetime
    today: date
    hubs: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # county → 统仓共配 hub


def _rules(session: Session) -> list[tuple[RuleCode, bool]]:
    rows = session.execute(
        sa.select(RoutingRule.code, RoutingRule.enabled).order_by(RoutingRule.rank, RoutingRule.id)
    ).all()
    if not rows:  # nothing configured yet: the defaults
        from fulfillment.routing.models import DEFAULT_RULES

        return [(code, True) for code in DEFAULT_RULES]
    return [(RuleCode(code), bool(enabled)) for code, enabled in rows]


def load_facts(session: Session, sub_order_id: int) -> Facts | None:
    """Everything ``decide`` needs about one sub-order, in a fixed number of queries."""
    row = session.execute(
        sa.select(SubOrder.id, SubOrder.number, SubOrder.supplier_id, Order.region_code)
        .join(Order, Order.id == SubOrder.order_id)
        .where(SubOrder.id == sub_order_id)
    ).one_or_none()
    if row is None:
        return None
    destination = row.region_code
    line_rows = session.execute(
        sa.select(
            OrderLine.id,
            OrderLine.variant_id,
            OrderLine.quantity,
            OrderLine.returned_quantity,
            Product.storage_class,
            sa.func.coalesce(Variant.gross_weight_g, OrderLine.unit_weight_g),
            OrderLine.product_name,
            Product.origin_region_code,
            Product.shelf_life_days,
        )
        .join(Variant, Variant.id == OrderLine.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(OrderLine.sub_order_id == sub_order_id)
        .order_by(OrderLine.id)
    ).all()
    lines = [
        LineFact(
            line_id=r[0],
            variant_id=r[1],
            quantity=r[2],
            storage=StorageClass(r[4]),
            unit_weight_g=int(r[5] or 0),
            product_name=r[6],
            origin_region_code=r[7] or "",
            shelf_life_days=int(r[8] or 0),
        )
        for r in line_rows
    ]
    variant_ids = sorted({line.variant_id for line in lines})
    line_ids = [line.line_id for line in lines]
    held: dict[int, dict[int, int]] = defaultdict(dict)
    for line_id, stock_id, quantity in session.execute(
        sa.select(
            StockReservation.order_line_id, StockReservation.stock_id, StockReservation.quantity
        ).where(
            StockReservation.order_line_id.in_(line_ids),
            StockReservation.state.in_([ReservationState.ALLOCATED, ReservationState.HELD]),
        )
    ).all():
        held[line_id][stock_id] = held[line_id].get(stock_id, 0) + quantity
    mine: dict[int, int] = defaultdict(int)
    for per_row in held.values():
        for stock_id, quantity in per_row.items():
            mine[stock_id] += quantity
    warehouses: dict[int, WarehouseFact] = {}
    stock: list[StockFact] = []
    for r in session.execute(
        sa.select(
            Stock.id,
            Stock.variant_id,
            Stock.on_hand,
            Stock.reserved,
            Warehouse.id,
            Warehouse.code,
            Warehouse.name,
            Warehouse.region_code,
            Warehouse.cold_capability,
            Warehouse.supplier_id,
            Warehouse.daily_capacity,
            Warehouse.cutoff_time,
            Warehouse.latitude,
            Warehouse.longitude,
            Warehouse.consolidates,
        )
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(
            Stock.variant_id.in_(variant_ids),
            Warehouse.is_active.is_(True),
            sa.or_(Warehouse.supplier_id.is_(None), Warehouse.supplier_id == row.supplier_id),
        )
        .order_by(Stock.id)
    ).all():
        warehouses[r[4]] = WarehouseFact(
            id=r[4],
            code=r[5],
            name=r[6],
            region_code=r[7],
            cold=StorageClass(r[8]),
            supplier_id=r[9],
            capacity=r[10],
            cutoff=r[11] or "23:59",
            latitude=r[12],
            longitude=r[13],
            consolidates=bool(r[14]),
        )
        stock.append(StockFact(r[0], r[4], r[1], r[2] - r[3] + mine.get(r[0], 0)))
    now = clock.now()
    today = clock.today_local()
    days = [today.isoformat(), (today + timedelta(days=1)).isoformat()]
    load = {
        (warehouse_id, day): count
        for warehouse_id, day, count in session.execute(
            sa.select(FulfillmentOrder.warehouse_id, FulfillmentOrder.routed_on, sa.func.count())
            .where(
                FulfillmentOrder.warehouse_id.in_(list(warehouses)),
                FulfillmentOrder.routed_on.in_(days),
                FulfillmentOrder.status != FulfillmentStatus.CANCELLED,
            )
            .group_by(FulfillmentOrder.warehouse_id, FulfillmentOrder.routed_on)
        ).all()
    }
    rates: dict[int, dict[Zone, RateFact]] = defaultdict(dict)
    for rate in session.scalars(
        sa.select(CarrierRate)
        .join(CarrierService, CarrierService.id == CarrierRate.service_id)
        .where(CarrierService.is_active.is_(True))
    ):
        rates[rate.service_id][Zone(rate.zone)] = RateFact(
            zone=Zone(rate.zone),
            first_weight_g=rate.first_weight_g,
            first_fen=rate.first_fen,
            step_weight_g=rate.step_weight_g,
            step_fen=rate.step_fen,
            cold_surcharge_fen=rate.cold_surcharge_fen,
            remote_surcharge_fen=rate.remote_surcharge_fen,
            promised_days=rate.promised_days,
        )
    services = [
        ServiceFact(
            id=r[0],
            code=r[1],
            name=r[2],
            carrier_id=r[3],
            carrier_code=r[4],
            carrier_name=r[5],
            kind=ServiceKind(r[6]),
            cold_class=StorageClass(r[7]),
            reaches_villages=bool(r[8]),
            rates=rates.get(r[0], {}),
        )
        for r in session.execute(
            sa.select(
                CarrierService.id,
                CarrierService.code,
                CarrierService.name,
                Carrier.id,
                Carrier.code,
                Carrier.name,
                CarrierService.kind,
                CarrierService.cold_class,
                CarrierService.reaches_villages,
            )
            .join(Carrier, Carrier.id == CarrierService.carrier_id)
            .where(CarrierService.is_active.is_(True), Carrier.is_active.is_(True))
            .order_by(CarrierService.id)
        ).all()
    ]
    prefixes = [destination[:n] for n in (0, 2, 4, 6, 9, 12) if n <= len(destination)]
    coverage: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for carrier_id, code, villages in session.execute(
        sa.select(
            CarrierCoverage.carrier_id,
            CarrierCoverage.region_code,
            CarrierCoverage.reaches_villages,
        ).where(CarrierCoverage.region_code.in_(prefixes))
    ).all():
        coverage[carrier_id].append((code, bool(villages)))
    zones = {
        (origin, dest): Zone(zone)
        for origin, dest, zone in session.execute(
            sa.select(
                ZoneRule.origin_province_code, ZoneRule.destination_province_code, ZoneRule.zone
            ).where(ZoneRule.destination_province_code == destination[:2])
        ).all()
    }
    batches: dict[int, list[BatchFact]] = defaultdict(list)
    used = dict(
        session.execute(
            sa.select(FulfillmentLine.batch_id, sa.func.sum(FulfillmentLine.quantity))
            .join(FulfillmentOrder, FulfillmentOrder.id == FulfillmentLine.fulfillment_order_id)
            .join(Batch, Batch.id == FulfillmentLine.batch_id)
            .where(
                Batch.variant_id.in_(variant_ids),
                FulfillmentOrder.status != FulfillmentStatus.CANCELLED,
            )
            .group_by(FulfillmentLine.batch_id)
        ).all()
    )
    shelf = {line.variant_id: line.shelf_life_days for line in lines}
    for b_id, variant_id, harvest, produced, quantity in session.execute(
        sa.select(
            Batch.id, Batch.variant_id, Batch.harvest_date, Batch.production_date, Batch.quantity
        )
        .where(Batch.variant_id.in_(variant_ids), Batch.status == BatchStatus.ACTIVE)
        .order_by(Batch.id)
    ).all():
        start = harvest or produced
        if start is None or start > today:  # not harvested or made yet: not on the shelf
            continue
        expires = start + timedelta(days=shelf.get(variant_id, 0) or 3650)
        left = quantity - int(used.get(b_id, 0) or 0)
        if expires >= today and left > 0:
            batches[variant_id].append(BatchFact(b_id, variant_id, expires, left))
    for found in batches.values():
        found.sort(key=lambda b: (b.expires_on, b.id))
    counties = sorted({w.region_code[:6] for w in warehouses.values()})
    hubs = {
        region[:6]: (hub_id, code, name)
        for hub_id, code, name, region in session.execute(
            sa.select(Warehouse.id, Warehouse.code, Warehouse.name, Warehouse.region_code)
            .where(
                Warehouse.consolidates.is_(True),
                Warehouse.is_active.is_(True),
                sa.func.substr(Warehouse.region_code, 1, 6).in_(counties),
            )
            .order_by(Warehouse.id)
        ).all()
    }
    return Facts(
        sub_order_id=row.id,
        sub_order_number=row.number,
        supplier_id=row.supplier_id,
        destination=destination,
        destination_name="",
        lines=lines,
        warehouses=warehouses,
        stock=stock,
        held=dict(held),
        load=load,
        services=services,
        coverage=dict(coverage),
        zones=zones,
        rules=_rules(session),
        batches=dict(batches),
        now=now,
        today=today,
        hubs=hubs,
    )
