"""Demo stock places and stock (``flask seed demo``, after the catalog): a platform-run 产地仓
per county that sells, the 龙头企业's own cold stores, the platform's 县级物流配送中心 in 章贡区
(统仓共配), a few 乡镇网点 and 村级服务站, a 前置仓 near customers, and the stock of each variant
on sale or in review. The catalog's tables are only read here; the catalog's seed names its
bestsellers in ``ctx.extra["catalog.bestsellers"]`` (product ids), which the 前置仓 stocks."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Product, ProductStatus, StorageClass, Variant
from fulfillment.models import (
    Stock,
    StockMovement,
    StockMovementKind,
    Warehouse,
    WarehouseKind,
)
from suppliers.models import Supplier
from suppliers.seed import short_name
from yipin.regions.models import GANZHOU, Region
from yipin.seed.context import SeedContext
from yipin.seed.places import Places

BESTSELLERS = "catalog.bestsellers"  # ctx.extra key: product ids the 前置仓 also stocks

HUB_COUNTY = "360702"  # 章贡区
STOCKED = (ProductStatus.LISTED, ProductStatus.PENDING_REVIEW)
COLD = {StorageClass.AMBIENT: 0, StorageClass.CHILLED: 1, StorageClass.FROZEN: 2}


@dataclass
class Stocked:
    """A product on sale or in review, with its supplier."""

    product: Product
    supplier: Supplier


def seed(ctx: SeedContext) -> None:
    """Warehouses of every kind and the opening stock of what the catalog sells."""
    places = Places.load(ctx.session, GANZHOU)
    stocked = _stocked(ctx.session)
    warehouses = seed_warehouses(ctx, places, stocked)
    rows = seed_stock(ctx, stocked, warehouses, set(ctx.extra.get(BESTSELLERS, ())))
    ctx.echo(f"fulfillment: {len(warehouses)} warehouses, {rows} stock rows")


def _stocked(session: Session) -> list[Stocked]:
    rows = session.execute(
        sa.select(Product, Supplier)
        .join(Supplier, Product.supplier_id == Supplier.id)
        .where(Product.status.in_(STOCKED))
        .order_by(Product.id)
    ).all()
    return [Stocked(product, supplier) for product, supplier in rows]


def _phone(n: int) -> str:
    return f"0797-{8100000 + n * 137:07d}"


def seed_warehouses(ctx: SeedContext, places: Places, selling: list[Stocked]) -> list[Warehouse]:
    rng, session = ctx.rng, ctx.session
    made: list[Warehouse] = []

    def add(**kw: object) -> Warehouse:
        warehouse = Warehouse(**kw)
        session.add(warehouse)
        made.append(warehouse)
        return warehouse

    counties = sorted({p.supplier.region_code[:6] for p in selling})
    for n, county in enumerate(counties):
        township = next(
            p.supplier.region_code[:9] for p in selling if p.supplier.region_code[:6] == county
        )
        add(
            code=f"CD-{county}",
            name=f"{places.county_name(county)}产地仓",
            kind=WarehouseKind.ORIGIN,
            region_code=township,
            address_detail=f"{places.township_name(township)}农产品物流园 {rng.randint(1, 30)} 号",
            cold_capability=StorageClass.CHILLED,
            contact_name="产地仓值班室",
            contact_phone=_phone(n),
        )
    leaders = {p.supplier.id: p.supplier for p in selling if p.supplier.is_leading_enterprise}
    for supplier in leaders.values():
        coldest = max(
            (p.product.storage_class for p in selling if p.supplier.id == supplier.id),
            key=lambda s: COLD[s],
        )
        add(
            code=f"CD-{supplier.region_code[:6]}-{supplier.id:03d}",
            name=f"{places.county_short(supplier.region_code)}{short_name(supplier, places)}冷库",
            kind=WarehouseKind.ORIGIN,
            region_code=supplier.region_code,
            address_detail=supplier.address_detail or "",
            cold_capability=StorageClass.FROZEN
            if coldest == StorageClass.FROZEN
            else StorageClass.CHILLED,
            supplier_id=supplier.id,
            contact_name=supplier.contact_name,
            contact_phone=supplier.contact_phone,
        )
    hub_township = places.townships(HUB_COUNTY)[0]
    add(
        code=f"HUB-{HUB_COUNTY}",
        name="赣州市章贡区县级物流配送中心",
        kind=WarehouseKind.COUNTY_HUB,
        region_code=hub_township,
        address_detail="赣州综合物流园 8 号库（统仓共配）",
        cold_capability=StorageClass.FROZEN,
        contact_name="配送中心调度",
        contact_phone="0797-8123456",
    )
    for county in counties[:3]:
        township = rng.choice(places.townships(county))
        add(
            code=f"XZ-{township}",
            name=f"{places.township_name(township)}乡镇快递网点",
            kind=WarehouseKind.TOWNSHIP_POINT,
            region_code=township,
            address_detail="镇政府旁 电商服务中心",
            contact_name="网点负责人",
            contact_phone=_phone(50 + len(made)),
        )
    villages = [code for county in counties for code in places.villages.get(county, [])[:40]]
    for village in rng.sample(villages, min(5, len(villages))):
        add(
            code=f"CZ-{village}",
            name=f"{places.village_short(village)}村级服务站",
            kind=WarehouseKind.VILLAGE_STATION,
            region_code=village,
            address_detail="村委会一楼 快递进村服务点",
            contact_name="服务站站长",
            contact_phone=f"1397970{rng.randint(1000, 9999)}",
        )
    if session.get(Region, "440305") is not None:
        add(
            code="QZ-440305",
            name="深圳南山前置仓",
            kind=WarehouseKind.FORWARD,
            region_code="440305",
            address_detail="南山区西丽街道 冷链仓 3 号",
            cold_capability=StorageClass.CHILLED,
            contact_name="前置仓主管",
            contact_phone="0755-86001234",
        )
    session.flush()
    return made


def seed_stock(
    ctx: SeedContext, stocked: list[Stocked], warehouses: list[Warehouse], bestsellers: set[int]
) -> int:
    """Stock for every variant on sale or in review: in the supplier's own store or the county's
    产地仓, some also in the shared hub, bestsellers in the 前置仓."""
    rng, session = ctx.rng, ctx.session
    origin = {w.region_code[:6]: w for w in warehouses if w.code == f"CD-{w.region_code[:6]}"}
    own = {w.supplier_id: w for w in warehouses if w.supplier_id is not None}
    hub = next(w for w in warehouses if w.kind == WarehouseKind.COUNTY_HUB)
    forward = next((w for w in warehouses if w.kind == WarehouseKind.FORWARD), None)
    made: list[Stock] = []
    for item in stocked:
        storage = item.product.storage_class
        variants = session.scalars(
            sa.select(Variant).where(Variant.product_id == item.product.id).order_by(Variant.id)
        )
        for variant in variants:
            places: list[tuple[Warehouse, int]] = []
            first = own.get(item.supplier.id) or origin.get(item.supplier.region_code[:6])
            if first is None or not first.can_keep(storage):
                first = hub
            on_hand = 0 if rng.random() < 0.05 else rng.randint(30, 800)
            places.append((first, on_hand))
            if first is not hub and rng.random() < 0.3:
                places.append((hub, rng.randint(20, 200)))
            bestseller = item.product.id in bestsellers and rng.random() < 0.5
            if forward is not None and bestseller and forward.can_keep(storage):
                places.append((forward, rng.randint(10, 80)))
            for warehouse, count in places:
                stock = Stock(
                    warehouse_id=warehouse.id,
                    variant_id=variant.id,
                    supplier_id=variant.supplier_id,
                    on_hand=count,
                    reserved=0,
                )
                session.add(stock)
                made.append(stock)
    session.flush()
    for stock in made:  # the opening count, as a stocktake records it
        if stock.on_hand:
            session.add(
                StockMovement(
                    stock_id=stock.id,
                    supplier_id=stock.supplier_id,
                    kind=StockMovementKind.SET,
                    delta=stock.on_hand,
                    on_hand_after=stock.on_hand,
                    reason="期初盘点",
                )
            )
    session.flush()
    return len(made)
