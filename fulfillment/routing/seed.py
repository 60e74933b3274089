"""Fulfillment's part of the demo (``flask seed demo``): the demo warehouses get a daily
capacity, a cut-off time, who runs them and where they are (near their county seat:
``data/county_seats.csv``, approximate, for the demo only); the platform's county hub
consolidates its county's parcels (统仓共配), so the 通达系 carriers reach its villages."""

from __future__ import annotations

import csv

import sqlalchemy as sa

from fulfillment.models import Warehouse, WarehouseKind
from fulfillment.routing.models import Carrier
from fulfillment.routing.network import DATA, _load_coverage
from yipin.seed.context import SeedContext

PROFILE = {  # kind → (parcels a day, cut-off, who runs it)
    WarehouseKind.ORIGIN: (800, "17:00", "合作社产地仓 · 县电商公共服务中心代管"),
    WarehouseKind.COUNTY_HUB: (6000, "18:30", "县供销社物流公司 · 统仓共配"),
    WarehouseKind.TOWNSHIP_POINT: (300, "16:00", "乡镇快递超市（多家快递共配）"),
    WarehouseKind.VILLAGE_STATION: (60, "15:00", "中国邮政 村邮站 / 供销社村级服务站"),
    WarehouseKind.FORWARD: (2000, "20:00", "前置仓运营商"),
}


def seed_demo(ctx: SeedContext) -> None:
    session, rng = ctx.session, ctx.rng
    with (DATA / "county_seats.csv").open(encoding="utf-8") as fh:
        seats = {row["county_code"]: row for row in csv.DictReader(fh)}
    for warehouse in session.scalars(sa.select(Warehouse).order_by(Warehouse.id)):
        capacity, cutoff, operator = PROFILE[WarehouseKind(warehouse.kind)]
        warehouse.daily_capacity = warehouse.daily_capacity or capacity
        warehouse.cutoff_time = cutoff
        warehouse.operator_name = warehouse.operator_name or operator
        seat = seats.get(warehouse.region_code[:6])
        if seat and warehouse.latitude is None:
            warehouse.latitude = round(float(seat["latitude"]) + rng.uniform(-0.05, 0.05), 5)
            warehouse.longitude = round(float(seat["longitude"]) + rng.uniform(-0.05, 0.05), 5)
        if warehouse.kind == WarehouseKind.COUNTY_HUB and warehouse.supplier_id is None:
            warehouse.consolidates = True
    session.flush()
    carriers = {c.code: c for c in session.scalars(sa.select(Carrier))}
    if carriers:
        _load_coverage(session, carriers)
    session.flush()
