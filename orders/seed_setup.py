"""The demo's world before its year of orders: buyers of every kind with their addresses,
pickup points, the operators' list of state-owned enterprises, the catalogue that sells and its
lots (harvests), and who owns each supplier."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog.models import (
    Batch,
    InspectionResult,
    Product,
    ProductStatus,
    SamplingRecord,
    StorageClass,
    Variant,
)
from fulfillment.models import PickupPointKind, Warehouse, WarehouseKind
from fulfillment.shipping import add_pickup_point
from orders import addresses, carts
from orders import seed_data as data
from orders.buyers import BuyerDetails, add_state_owned
from orders.models import (
    BuyerType,
)
from suppliers import uscc
from suppliers.models import Supplier, SupplierStatus
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.accounts.passwords import hash_password
from yipin.errors import DomainError
from yipin.regions.models import Region, RegionLevel
from yipin.seed.context import DEMO_PASSWORD, SeedContext

ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任钟姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲兰凤洁梅琳素云莲真环雪"
    "荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾"
    "颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬"
    "茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路", "胜利路", "青年路"]


def at_hour(day: date, hour: float) -> datetime:
    """``hour`` (fractional) of ``day`` in Shanghai, as UTC."""
    local = datetime.combine(day, time(0), tzinfo=clock.SHANGHAI) + timedelta(hours=hour)
    return local.astimezone(UTC)


@dataclass
class Lot:
    batch: Batch
    day: date  # harvested / produced
    left: int


@dataclass
class Item:
    variant: Variant
    product: Product
    supplier: Supplier
    lots: list[Lot] = field(default_factory=list)


@dataclass
class Buyer:
    user: User
    address_ids: list[int]
    kind: BuyerType
    details: BuyerDetails
    bulk: tuple[int, int] = (1, 3)


def pickup_points(ctx: SeedContext, operator: User) -> None:
    """A pickup point at each 村级服务站, and parcel lockers in a few cities' districts."""
    session = ctx.session
    stations = session.scalars(
        sa.select(Warehouse)
        .where(Warehouse.kind == WarehouseKind.VILLAGE_STATION)
        .order_by(Warehouse.id)
    ).all()
    for w in stations:
        add_pickup_point(
            session,
            operator,
            code=f"ZT-{w.region_code}",
            name=w.name,
            kind=PickupPointKind.VILLAGE_STATION,
            region_code=w.region_code,
            address_detail=w.address_detail,
            opening_hours="8:00–20:00",
            contact_phone=w.contact_phone,
            warehouse_id=w.id,
        )
    towns = session.scalars(
        sa.select(Warehouse)
        .where(Warehouse.kind == WarehouseKind.TOWNSHIP_POINT)
        .order_by(Warehouse.id)
    ).all()
    for w in towns:
        add_pickup_point(
            session,
            operator,
            code=f"ZT-{w.region_code}",
            name=f"{w.name}（驿站）",
            kind=PickupPointKind.TOWNSHIP_POINT,
            region_code=w.region_code,
            address_detail=w.address_detail,
            opening_hours="8:30–19:00",
            contact_phone=w.contact_phone,
            cold_capability=StorageClass.CHILLED,
        )
    for n, dest in enumerate(data.DESTINATIONS[:8]):
        if session.get(Region, dest.region_code) is None:
            continue
        add_pickup_point(
            session,
            operator,
            code=f"GZ-{dest.region_code}-{n + 1}",
            name=f"丰巢智能柜 {dest.address.split(' ')[0]}",
            kind=PickupPointKind.LOCKER,
            region_code=dest.region_code,
            address_detail=dest.address.split(" ")[0] + " 小区东门",
            opening_hours="24 小时",
        )


def org_code(rng: random.Random, entity: str, division: str) -> str:
    return uscc.make(f"{entity}{division}" + "".join(rng.choice(ORG_CHARS) for _ in range(9)))


def state_owned_list(ctx: SeedContext, operator: User) -> None:
    codes = ctx.extra.setdefault("org_codes", {})
    for buyer in data.STATE_OWNED_BUYERS:
        codes[buyer.title] = org_code(ctx.rng, buyer.entity, buyer.division)
    for buyer in data.STATE_OWNED_BUYERS[:-1]:  # the last one only declares it at checkout
        add_state_owned(ctx.session, operator, codes[buyer.title], buyer.title, "市国资委监管企业")


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def buyers(ctx: SeedContext) -> list[Buyer]:
    """The demo consumers plus a hundred more across China (a fifth of them in Ganzhou), each
    with an address; and the organisations buying for canteens, staff and schools."""
    session, rng = ctx.session, ctx.rng
    password = hash_password(DEMO_PASSWORD)
    counties = list(
        session.scalars(
            sa.select(Region.code).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
        )
    )
    villages = list(
        session.scalars(
            sa.select(Region.code)
            .where(
                Region.level == RegionLevel.VILLAGE,
                Region.code.startswith(current_app.config["PLATFORM_REGION"]),
            )
            .order_by(Region.code)
        )
    )
    big_cities = [d.region_code for d in data.DESTINATIONS if session.get(Region, d.region_code)]
    people = list(
        session.scalars(sa.select(User).where(User.role == Role.CONSUMER).order_by(User.id))
    )
    for i in range(100):
        people.append(
            User(
                phone=f"1880797{i:04d}",
                password_hash=password,
                display_name=name(rng),
                role=Role.CONSUMER,
            )
        )
        session.add(people[-1])
    session.flush()
    out: list[Buyer] = []
    for user in people:
        roll = rng.random()
        if roll < 0.2 and villages:
            region = rng.choice(villages)
        elif roll < 0.7:
            region = rng.choice(big_cities)
        else:
            region = rng.choice(counties)
        address = addresses.add_address(
            session,
            user,
            {
                "recipient_name": user.display_name,
                "phone": user.phone or "13900000010",
                "region_code": region,
                "detail": f"{rng.choice(STREETS)} {rng.randint(1, 300)} 号 {rng.randint(1, 30)} 栋"
                f" {rng.randint(1, 28)}0{rng.randint(1, 6)}",
            },
        )
        out.append(Buyer(user, [address.id], BuyerType.INDIVIDUAL, BuyerDetails()))
    codes = ctx.extra.setdefault("org_codes", {})
    groups = [
        (BuyerType.STATE_OWNED, data.STATE_OWNED_BUYERS),
        (BuyerType.GOVERNMENT_OR_INSTITUTION, data.INSTITUTION_BUYERS),
        (BuyerType.PRIVATE_ENTERPRISE, data.PRIVATE_BUYERS),
        (BuyerType.BUDGET_UNIT, data.BUDGET_BUYERS),
    ]
    for n, (kind, orgs) in enumerate(groups):
        for m, org in enumerate(orgs):
            dest = data.DESTINATIONS[min(org.destination, len(data.DESTINATIONS) - 1)]
            if session.get(Region, dest.region_code) is None:
                continue
            user = User(
                phone=f"1890797{n}{m:02d}0",
                password_hash=password,
                display_name=f"{org.title} 采购",
                role=Role.CONSUMER,
            )
            session.add(user)
            session.flush()
            address = addresses.add_address(
                session,
                user,
                {
                    "recipient_name": dest.recipient,
                    "phone": f"1360797{n}{m:02d}1",
                    "region_code": dest.region_code,
                    "detail": dest.address,
                },
            )
            code = codes.get(org.title) or org_code(rng, org.entity, org.division)
            details = BuyerDetails(
                organisation=True,
                invoice_requested=True,
                invoice_title=org.title,
                uscc=code,
                declares_state_owned=kind == BuyerType.STATE_OWNED,
                procurement_reference=(
                    f"赣财采计〔{clock.today_local().year}〕{rng.randint(100, 999)} 号"
                    if kind == BuyerType.BUDGET_UNIT
                    else None
                ),
            )
            out.append(Buyer(user, [address.id], kind, details, org.bulk))
    session.flush()
    return out


def catalogue(session: Session) -> list[Item]:
    """Variants on sale (listed, verified supplier) with their batches, oldest first."""
    rows = session.execute(
        sa.select(Variant, Product, Supplier)
        .join(Product, Product.id == Variant.product_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .where(
            Product.status == ProductStatus.LISTED,
            Supplier.status == SupplierStatus.VERIFIED,
            Variant.is_active.is_(True),
        )
        .order_by(Variant.id)
    ).all()
    items = {v.id: Item(v, p, s) for v, p, s in rows if carts.is_sellable(v)}
    for batch in session.scalars(
        sa.select(Batch).where(Batch.variant_id.in_(list(items))).order_by(Batch.id)
    ):
        day = batch.harvest_date or batch.production_date or batch.certificate_issued_on
        items[batch.variant_id].lots.append(Lot(batch, day, batch.quantity))
    for item in items.values():
        item.lots.sort(key=lambda lot: lot.day)
    return list(items.values())


def recalled_lot(session: Session, catalog: list[Item]) -> Lot | None:
    failed = session.scalar(
        sa.select(SamplingRecord.batch_id).where(SamplingRecord.result == InspectionResult.FAIL)
    )
    for item in catalog:
        for lot in item.lots:
            if lot.batch.id == failed:
                return lot
    return None


def harvest(
    ctx: SeedContext,
    catalog: list[Item],
    owners: dict[int, User],
    operator: User,
    month: date,
    now: datetime,
) -> int:
    """The month's lots (批次) with their 合格证, entered by each supplier as it harvests (fresh
    produce in its season) or produces (processed food, every third month): what the month's
    parcels ship from."""
    from catalog.models import BatchInspection
    from catalog.trace.batches import BatchDraft, InspectionDraft, create_batch

    session, rng = ctx.session, ctx.rng
    made = 0
    for item in catalog:
        product = item.product
        processed = product.category.requires_food_licence
        if processed and month.month % 4 != 1:
            continue
        if not processed and (month.month not in product.sale_months or month.month % 2):
            continue
        if any(lot.day.year == month.year and lot.day.month == month.month for lot in item.lots):
            continue
        day = month + timedelta(days=rng.randint(0, 5))
        at = at_hour(day, 9.0)
        if at > now - timedelta(days=1):
            continue
        model = item.lots[-1].batch if item.lots else None
        if model is None:
            continue  # a variant never harvested before: nothing to follow
        tests = session.scalars(
            sa.select(BatchInspection)
            .where(BatchInspection.batch_id == model.id)
            .order_by(BatchInspection.id)
        ).all()
        if not tests:
            continue  # no 合格证 without the tests it rests on
        draft = BatchDraft(
            variant_id=item.variant.id,
            base_name=model.base_name,
            base_region_code=model.base_region_code,
            quantity=rng.randint(300, 1200),
            harvest_date=None if processed else day,
            production_date=day if processed else None,
            inspections=[
                InspectionDraft(
                    item=t.item,
                    result=t.result,
                    inspected_on=day,
                    method=t.method,
                    value=t.value,
                    inspector=t.inspector,
                )
                for t in tests
            ],
        )
        with clock.travel(at):
            savepoint = session.begin_nested()
            try:
                batch = create_batch(
                    session, owners.get(item.supplier.id, operator), item.supplier.id, draft
                )
            except DomainError:
                savepoint.rollback()
                continue
            savepoint.commit()
        item.lots.append(Lot(batch, day, batch.quantity))
        item.lots.sort(key=lambda lot: lot.day)
        made += 1
    return made


def owners(session: Session) -> dict[int, User]:
    """Who ships for each supplier (its owner)."""
    out: dict[int, User] = {}
    for user in session.scalars(
        sa.select(User).where(User.role == Role.SUPPLIER).order_by(User.id)
    ):
        if user.is_supplier_owner:
            out.setdefault(user.supplier_id or 0, user)
    return out
