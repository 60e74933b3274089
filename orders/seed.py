"""Demo orders: a year of them, made through the same actions a consumer's checkout uses.

The clock is set to each moment (``clock.travel``) and the actions run as they would have:
consumers fill carts and check out (``place_order``: stock held, one sub-order per supplier,
shipping from the rate card, buyer type from the invoice data), pay online (the webhook's
``payment_succeeded``), by bank transfer (an operator confirms it) or cash on delivery; suppliers
ship with the batch each line left from, carriers deliver, buyers confirm, a few cancel, claim
bad fruit or return goods, and some never pay (their orders expire and free the stock). The
sales ledger is written by those actions, so reports have a year of facts.

Buyers: individuals across China (and in Ganzhou), 国有企业 (on the operators' list, one only
declared), 行政事业单位, private enterprises and budget units under government procurement.
Demand follows the seasons (oranges in winter, 双十一, the Spring Festival rush). A line ships
from the newest batch of its variant harvested before the parcel left; the recalled 寻乌蜜桔 lot
reached two orders before its sample failed. Stock is topped up (``adjust_stock``, 到货入库)
when an order would need more than is left.

Nothing here calls Stripe: online payments are recorded as the webhook would record them; the
side effects of the past (notifications, routing triggers of parcels long delivered) are
settled without running. Orders of the last days stay in flight for the demo.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog.models import (
    Batch,
    BatchStatus,
    InspectionResult,
    Product,
    ProductStatus,
    SamplingRecord,
    StorageClass,
    Variant,
)
from fulfillment.actions import adjust_stock
from fulfillment.holds import available_units
from fulfillment.models import PickupPointKind, Stock, Warehouse, WarehouseKind
from fulfillment.shipping import add_pickup_point
from orders import addresses, after_sales, carts, lifecycle
from orders import seed_data as data
from orders.buyers import BuyerDetails, add_state_owned
from orders.checkout import CheckoutRequest, Destination, place_order
from orders.errors import CartError, PaymentMethodUnavailable, QuantityUnavailable
from orders.expiry import expire_order
from orders.models import (
    BuyerType,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ReturnReason,
)
from orders.payments.service import confirm_bank_transfer, payment_succeeded
from orders.refunds import record_offline_refund
from suppliers import uscc
from suppliers.models import Supplier, SupplierStatus
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.accounts.passwords import hash_password
from yipin.errors import DomainError
from yipin.outbox.models import OutboxEntry, OutboxStatus
from yipin.outbox.service import NEW_IDS
from yipin.regions.models import Region, RegionLevel
from yipin.seed.context import DEMO_PASSWORD, SeedContext

DAYS = 365
ORDERS_PER_YEAR = 380  # about one a day, several a day in the orange season's peaks
IN_FLIGHT_DAYS = 3  # orders younger than this keep their pending side effects (routing …)
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


@dataclass
class Tally:
    orders: int = 0
    paid: int = 0
    cancelled: int = 0
    refunds: int = 0
    claims: int = 0
    returns: int = 0
    top_ups: int = 0
    batches: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _at(day: date, hour: float) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=clock.SHANGHAI) + timedelta(hours=hour)
    return local.astimezone(UTC)


def _weight(day: date) -> float:
    """How busy a day is: the orange season, 双十一, the Spring Festival rush, weekends."""
    w = 1.0
    if day.month in (11, 12, 1):
        w *= 2.2
    elif day.month in (2, 10):
        w *= 1.4
    elif day.month in (6, 7, 8):
        w *= 0.7
    if day.month == 11 and 9 <= day.day <= 12:
        w *= 3.0
    if day.month == 1 and day.day >= 10:
        w *= 1.6  # 年货节
    if day.weekday() >= 5:
        w *= 1.25
    return w


def seed(ctx: SeedContext) -> None:
    session, rng = ctx.session, ctx.rng
    operator = session.scalars(sa.select(User).where(User.role == Role.OPERATOR)).first()
    if operator is None:
        return
    now = clock.now()
    tally = Tally()
    settled: list[int] = []
    with clock.travel(now - timedelta(days=DAYS + 1)):
        _pickup_points(ctx, operator)
        _state_owned_list(ctx, operator)
        buyers = _buyers(ctx)
        catalog = _catalogue(session)
        ctx.extra["lots_by_variant"] = {i.variant.id: i.lots for i in catalog}
        recalled = _recalled_lot(session, catalog)
        owners = _owners(session)
        _settle(session, settled)
    if not buyers or not catalog:
        return
    days = [now.date() - timedelta(days=n) for n in range(DAYS, -1, -1)]
    weights = [_weight(d) for d in days]
    scale = ORDERS_PER_YEAR / sum(weights)
    plan: list[datetime] = []
    for day, w in zip(days, weights, strict=True):
        for _ in range(_poisson(rng, w * scale)):
            hour = rng.choice([9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22]) + rng.random()
            moment = _at(day, hour)
            if moment < now - timedelta(minutes=20):
                plan.append(moment)
    plan.sort()
    if recalled is not None:
        made = _at(recalled.day + timedelta(days=1), 10.5)
        plan[:0] = [made, made + timedelta(hours=3)]
    harvested: set[tuple[int, int]] = set()
    for index, placed in enumerate(ctx.progress(plan, "orders")):
        forced = recalled if recalled is not None and index < 2 else None
        month = clock.to_local(placed).date().replace(day=1)
        if (month.year, month.month) not in harvested:
            harvested.add((month.year, month.month))
            tally.batches += _harvest(ctx, catalog, owners, operator, month, now)
            _settle(session, settled)
        with clock.travel(placed):
            savepoint = session.begin_nested()  # a refused order undoes itself, nothing else
            try:
                _one_order(ctx, tally, buyers, catalog, owners, operator, placed, now, forced)
            except DomainError:  # e.g. the cold chain does not reach the buyer's county
                savepoint.rollback()
                continue
            savepoint.commit()
        history = now - placed > timedelta(days=IN_FLIGHT_DAYS)
        if history:
            _settle(session, settled)
        session.flush()
    _settle(session, settled)
    if settled:
        session.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.id.in_(settled))
            .values(status=OutboxStatus.DONE, attempts=1, done_at=now, last_error=None)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    ctx.extra["orders"] = tally
    ctx.echo(
        f"orders: {tally.orders} orders over {DAYS} days ({tally.paid} paid,"
        f" {tally.cancelled} cancelled), {tally.refunds} refunds, {tally.claims} claims,"
        f" {tally.returns} returns, {tally.batches} batches harvested,"
        f" {tally.top_ups} stock arrivals;"
        " by buyer: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.by_type.items()))
    )


def _settle(session: Session, settled: list[int]) -> None:
    """Side effects of the past already happened: take them off the hand-over list."""
    settled.extend(session.info.pop(NEW_IDS, []))


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# ----------------------------------------------------------------------------- set-up


def _pickup_points(ctx: SeedContext, operator: User) -> None:
    """A pickup point at each 村级服务站, and parcel lockers in a few cities' districts."""
    session = ctx.session
    stations = session.scalars(
        sa.select(Warehouse).where(Warehouse.kind == WarehouseKind.VILLAGE_STATION)
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
        sa.select(Warehouse).where(Warehouse.kind == WarehouseKind.TOWNSHIP_POINT)
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


def _org_code(rng: random.Random, entity: str, division: str) -> str:
    return uscc.make(f"{entity}{division}" + "".join(rng.choice(ORG_CHARS) for _ in range(9)))


def _state_owned_list(ctx: SeedContext, operator: User) -> None:
    codes = ctx.extra.setdefault("org_codes", {})
    for buyer in data.STATE_OWNED_BUYERS:
        codes[buyer.title] = _org_code(ctx.rng, buyer.entity, buyer.division)
    for buyer in data.STATE_OWNED_BUYERS[:-1]:  # the last one only declares it at checkout
        add_state_owned(ctx.session, operator, codes[buyer.title], buyer.title, "市国资委监管企业")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _buyers(ctx: SeedContext) -> list[Buyer]:
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
                display_name=_name(rng),
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
            code = codes.get(org.title) or _org_code(rng, org.entity, org.division)
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


def _catalogue(session: Session) -> list[Item]:
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


def _recalled_lot(session: Session, catalog: list[Item]) -> Lot | None:
    failed = session.scalar(
        sa.select(SamplingRecord.batch_id).where(SamplingRecord.result == InspectionResult.FAIL)
    )
    for item in catalog:
        for lot in item.lots:
            if lot.batch.id == failed:
                return lot
    return None


def _harvest(
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
        at = _at(day, 9.0)
        if at > now - timedelta(days=1):
            continue
        model = item.lots[-1].batch if item.lots else None
        if model is None:
            continue  # a variant never harvested before: nothing to follow
        tests = session.scalars(
            sa.select(BatchInspection).where(BatchInspection.batch_id == model.id)
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


def _owners(session: Session) -> dict[int, User]:
    """Who ships for each supplier (its owner)."""
    out: dict[int, User] = {}
    for user in session.scalars(
        sa.select(User).where(User.role == Role.SUPPLIER).order_by(User.id)
    ):
        if user.is_supplier_owner:
            out.setdefault(user.supplier_id or 0, user)
    return out


# ----------------------------------------------------------------------------- one order


def _lot_for(item: Item, ship_day: date, units: int, *, forced: Lot | None = None) -> Lot | None:
    """The newest batch harvested before the parcel leaves that still has the units."""
    if forced is not None:
        return forced if forced.batch.variant_id == item.variant.id else None
    usable = [
        lot
        for lot in item.lots
        if lot.day < ship_day and lot.left >= units and lot.batch.status != BatchStatus.DELISTED
    ]
    return usable[-1] if usable else None


def _choose(
    rng: random.Random, catalog: list[Item], buyer: Buyer, ship_day: date, recent: bool
) -> list[tuple[Item, int]]:
    count = (
        rng.choice([1, 1, 1, 2, 2, 3]) if buyer.kind == BuyerType.INDIVIDUAL else rng.choice([1, 2])
    )
    picks: list[tuple[Item, int]] = []
    candidates = [i for i in catalog if recent or _lot_for(i, ship_day, 1)]
    if not candidates:
        return []
    # the season sells: the orange's winter weighs more, but anything with a batch may sell
    month = ship_day.month
    weights = [3.0 if month in i.product.sale_months else 1.0 for i in candidates]
    seen: set[int] = set()
    for _ in range(count * 3):
        if len(picks) >= count:
            break
        item = rng.choices(candidates, weights)[0]
        if item.variant.id in seen:
            continue
        seen.add(item.variant.id)
        low, high = buyer.bulk
        units = rng.randint(low, high)
        if item.variant.per_order_limit:
            units = min(units, item.variant.per_order_limit)
        lot = _lot_for(item, ship_day, units)
        if not recent and lot is None:
            continue
        picks.append((item, units))
    return picks


def _stock_up(ctx: SeedContext, operator: User, item: Item, units: int, tally: Tally) -> None:
    """A delivery arrives at the warehouse when the shelf would run short (到货入库)."""
    session = ctx.session
    free = available_units(session, [item.variant.id])[item.variant.id]
    if free >= units:
        return
    row = session.scalars(
        sa.select(Stock)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .where(Stock.variant_id == item.variant.id, Warehouse.is_active.is_(True))
        .order_by(Stock.on_hand.desc(), Stock.id)
    ).first()
    if row is None:
        return
    adjust_stock(
        session,
        operator,
        item.variant.id,
        row.warehouse_id,
        units - free + ctx.rng.randint(40, 200),
        "到货入库",
    )
    tally.top_ups += 1


def _method(rng: random.Random, buyer: Buyer) -> PaymentMethod:
    if buyer.kind != BuyerType.INDIVIDUAL:
        return PaymentMethod.BANK_TRANSFER
    return rng.choices(
        [PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY, PaymentMethod.CARD, PaymentMethod.COD],
        [44, 38, 10, 8],
    )[0]


def _one_order(
    ctx: SeedContext,
    tally: Tally,
    buyers: list[Buyer],
    catalog: list[Item],
    owners: dict[int, User],
    operator: User,
    placed: datetime,
    now: datetime,
    forced: Lot | None,
) -> None:
    session, rng = ctx.session, ctx.rng
    orgs = [b for b in buyers if b.kind != BuyerType.INDIVIDUAL]
    buyer = (
        rng.choice(orgs)
        if orgs and (rng.random() < 0.17 and forced is None)
        else rng.choice([b for b in buyers if b.kind == BuyerType.INDIVIDUAL])
    )
    age = now - placed
    ship_at = placed + timedelta(hours=rng.uniform(6, 30))
    recent = ship_at > now
    if forced is not None:
        item = next(i for i in catalog if i.variant.id == forced.batch.variant_id)
        picks = [(item, min(2, forced.left))]
    else:
        picks = _choose(rng, catalog, buyer, clock.to_local(ship_at).date(), recent)
    if not picks:
        return
    cart = carts.cart_for(session, user_id=buyer.user.id)
    for line in list(cart.lines):
        session.delete(line)
    session.flush()
    for item, units in picks:
        _stock_up(ctx, operator, item, units, tally)
        try:
            carts.add_to_cart(session, cart, item.variant.id, units)
        except (QuantityUnavailable, CartError):
            continue
    method = _method(rng, buyer)
    checkout = CheckoutRequest(
        destination=Destination(address_id=buyer.address_ids[0]),
        buyer=buyer.details,
        payment_method=method,
        note=rng.choice(["", "", "", "请尽快发货", "送礼用，请勿放发票", "周末送货"]),
    )
    try:
        order = place_order(session, buyer.user, cart, checkout, record_online=True).order
    except PaymentMethodUnavailable:  # cash on delivery is not offered for this cart
        method = checkout.payment_method = PaymentMethod.ALIPAY
        order = place_order(session, buyer.user, cart, checkout, record_online=True).order
    tally.orders += 1
    tally.by_type[buyer.kind.value] += 1

    # paying: some never do (their stock comes back when the time runs out)
    paid_at = placed + timedelta(minutes=rng.uniform(1, 12))
    if method == PaymentMethod.BANK_TRANSFER:
        paid_at = placed + timedelta(hours=rng.uniform(3, 40))
    never = method != PaymentMethod.COD and rng.random() < 0.06
    if never or paid_at > now:
        if never and age > timedelta(hours=80):
            clock.freeze(order.payment_due_at + timedelta(minutes=1))  # type: ignore[operator]
            expire_order(session, order.id)
            tally.cancelled += 1
        return
    clock.freeze(paid_at)
    payment = order.payments[0]
    if method == PaymentMethod.BANK_TRANSFER:
        confirm_bank_transfer(
            session,
            operator,
            payment.id,
            f"HX{paid_at:%Y%m%d}{rng.randint(1000, 9999)}",
            order.total_fen,
        )
    elif method != PaymentMethod.COD:
        payment.provider_ref = f"pi_seed{order.id:07d}{rng.randint(100000, 999999)}"
        payment.status = PaymentStatus.PENDING
        payment_succeeded(session, payment, at=paid_at, method=method)
    if method != PaymentMethod.COD:
        tally.paid += 1

    for sub in order.sub_orders:
        _parcel(ctx, tally, sub, owners, operator, placed, now, forced)


def _parcel(
    ctx: SeedContext,
    tally: Tally,
    sub: Any,
    owners: dict[int, User],
    operator: User,
    placed: datetime,
    now: datetime,
    forced: Lot | None,
) -> None:
    """One supplier's parcel, as far as time has gone: shipped, delivered, confirmed; now and
    then cancelled before shipment, claimed for bad fruit or returned."""
    session, rng = ctx.session, ctx.rng
    owner = owners.get(sub.supplier_id, operator)
    ship_at = placed + timedelta(hours=rng.uniform(6, 30))
    if ship_at > now:
        return
    clock.freeze(ship_at)
    if rng.random() < 0.025 and forced is None:
        after_sales.cancel_sub_order(session, owner, sub.id, "缺货，抱歉")
        _refund_offline(session, operator, sub)
        tally.cancelled += 1
        return
    batches = {}
    day = clock.to_local(ship_at).date()
    for line in sub.lines:
        lots = ctx.extra["lots_by_variant"].get(line.variant_id, [])
        lot = forced
        if lot is None:
            usable = [
                x
                for x in lots
                if x.day < day
                and x.left >= line.quantity
                and x.batch.status != BatchStatus.DELISTED
            ]
            lot = usable[-1] if usable else (lots[-1] if lots else None)
        if lot is None:
            return  # nothing to ship it from yet: it waits in the warehouse
        lot.left -= line.quantity
        batches[line.id] = lot.batch.id
    lifecycle.mark_shipped(
        session,
        owner,
        sub.id,
        carrier_name=rng.choice(["中国邮政", "顺丰速运", "京东物流", "中通快递"])
        if not sub.cold_chain
        else rng.choice(["顺丰冷运", "京东冷链"]),
        waybill_number=f"{rng.choice(['YZ', 'SF', 'JD', 'ZT'])}{rng.randint(10**11, 10**12 - 1)}",
        batches=batches,
    )
    delivered_at = ship_at + timedelta(days=rng.uniform(1, 4))
    if delivered_at > now:
        return
    clock.freeze(delivered_at)
    lifecycle.mark_delivered(session, operator, sub.id)
    roll = rng.random()
    if roll < 0.08:
        _claim(ctx, tally, sub, owner, operator)
    elif roll < 0.11:
        _return(ctx, tally, sub, owner, operator)
    done_at = delivered_at + timedelta(days=rng.uniform(0.5, 10))
    if done_at > now:
        return
    clock.freeze(done_at)
    session.refresh(sub)
    if sub.status == OrderStatus.DELIVERED:
        lifecycle.complete(session, _buyer(session, sub), sub.id)


def _buyer(session: Session, sub: Any) -> User:
    return session.get(User, sub.order.consumer_id)  # type: ignore[return-value]


def _refund_offline(session: Session, operator: User, sub: Any) -> None:
    """Refunds of bank transfers and cash go back by transfer: the operator records them."""
    for refund in sub.refunds:
        if refund.status == "pending" and refund.payment and refund.payment.provider == "offline":
            record_offline_refund(session, operator, refund.id, f"TK{refund.id:08d}")
        elif refund.status == "pending":
            from orders.refunds import refund_succeeded

            refund.provider_ref = f"re_seed{refund.id:08d}"
            refund_succeeded(session, refund)


def _claim(ctx: SeedContext, tally: Tally, sub: Any, owner: User, operator: User) -> None:
    session, rng = ctx.session, ctx.rng
    line = sub.lines[0]
    rules = after_sales.rules_for(session, [line])
    if not rules[line.id].claim_hours:
        return
    image = _photo(session, sub, rng)
    claim = after_sales.file_claim(
        session,
        _buyer(session, sub),
        sub.id,
        line.id,
        bad_units=1,
        requested_fen=min(line.total_fen, max(100, line.unit_price_fen // 3)),
        description=rng.choice(["到货有 3 个烂果", "外箱压坏，部分果子破皮", "有两个发霉"]),
        image_ids=[image.id],
    )
    clock.advance(timedelta(hours=rng.uniform(2, 20)))
    if rng.random() < 0.85:
        after_sales.decide_claim(session, owner, claim.id, approve=True, note="已核实，按比例赔付")
        _refund_offline(session, operator, sub)
        tally.refunds += 1
    else:
        after_sales.decide_claim(
            session, owner, claim.id, approve=False, note="照片显示为正常果皮斑点，不属坏果"
        )
    tally.claims += 1


def _return(ctx: SeedContext, tally: Tally, sub: Any, owner: User, operator: User) -> None:
    session = ctx.session
    line = sub.lines[0]
    try:
        request_ = after_sales.request_return(
            session,
            _buyer(session, sub),
            sub.id,
            ReturnReason.QUALITY,
            [(line.id, 1)],
            "包装破损漏油",
        )
    except DomainError:
        return
    clock.advance(timedelta(hours=8))
    after_sales.decide_return(session, owner, request_.id, True, "同意退货")
    clock.advance(timedelta(days=3))
    after_sales.receive_return(session, owner, request_.id)
    _refund_offline(session, operator, sub)
    tally.returns += 1
    tally.refunds += 1


def _photo(session: Session, sub: Any, rng: random.Random) -> Any:
    """A buyer's photo of a bad orange: stored through the platform's image upload."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    from yipin.media.images import store_upload
    from yipin.media.models import ImagePurpose

    picture = PILImage.new("RGB", (480, 360), (236, 226, 206))
    draw = ImageDraw.Draw(picture)
    for _ in range(5):
        x, y = rng.randint(40, 400), rng.randint(40, 280)
        draw.ellipse((x - 36, y - 36, x + 36, y + 36), fill=(232, 120, 20))
    draw.ellipse((200, 150, 250, 200), fill=(86, 70, 40))  # the rot
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    out.seek(0)
    return store_upload(
        session,
        out,
        purpose=ImagePurpose.CLAIM,
        supplier_id=sub.supplier_id,
        uploaded_by_id=sub.order.consumer_id,
    )
