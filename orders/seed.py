"""Demo orders (``flask seed demo``, after the catalog): individuals and organisations (国有企业,
行政事业单位, 民营企业, 预算单位) across China buying from several suppliers in one payment;
every line records its batch, so the traceability pages show units sold and a recall reaches the
orders that received a lot. The catalog's tables are only read here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import (
    Batch,
    InspectionResult,
    Product,
    SamplingRecord,
    StorageClass,
    Variant,
)
from orders.models import BuyerType, Order, OrderLine, OrderStatus, SubOrder
from suppliers import uscc
from suppliers.models import Supplier
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.regions.models import Region
from yipin.seed.context import SeedContext
from yipin.seed.places import at


@dataclass
class Destination:
    region_code: str
    address: str
    recipient: str


DESTINATIONS = [
    Destination("110105", "建国路 88 号 SOHO 现代城 2 号楼 1203", "张伟"),
    Destination("310115", "世纪大道 100 号 环球金融中心 36 楼", "李娜"),
    Destination("440106", "天河路 385 号 太古汇一座 22 楼", "黄志明"),
    Destination("440305", "深南大道 9988 号 科技园 A 座 5 楼", "陈思远"),
    Destination("330106", "文三路 259 号 昌地火炬大厦 1 号楼", "王芳"),
    Destination("320106", "中山北路 30 号 城市名人酒店写字楼 18 楼", "刘洋"),
    Destination("420111", "珞喻路 1037 号 东区教工宿舍 6 栋", "赵敏"),
    Destination("510107", "人民南路四段 1 号 时代数码大厦 10 楼", "周杰"),
    Destination("430104", "麓山南路 932 号 湖南大学 南校区", "吴婷"),
    Destination("350203", "湖滨南路 388 号 国贸大厦 15 楼", "林嘉怡"),
    Destination("360113", "红谷中大道 1000 号 联发广场 21 楼", "熊涛"),
    Destination("360702", "章江路 12 号 江南明珠小区 3 栋", "钟丽"),
    Destination("610113", "长安南路 123 号 曲江花园 8 号楼", "杨帆"),
    Destination("120101", "南京路 219 号 天津中心 27 楼", "孙立伟"),
    Destination("500103", "民族路 188 号 环球金融中心 30 楼", "邓洁"),
    Destination("350102", "五四路 158 号 环球广场 12 楼", "郑凯"),
    Destination("340104", "长江西路 669 号 高新区管委会旁", "何静"),
    Destination("410105", "花园路 39 号 国贸中心 B 座", "马骏"),
]


@dataclass
class Buyer:
    """An organisation buying for its canteen or staff (消费帮扶, 工会福利)."""

    title: str
    entity: str  # the first two characters of its 统一社会信用代码
    division: str  # where it is registered
    destination: int  # index into DESTINATIONS
    bulk: tuple[int, int] = (10, 40)
    tags: list[str] = field(default_factory=list)


STATE_OWNED_BUYERS = [
    Buyer("深圳市鹏城能源集团有限公司", "91", "440305", 3),
    Buyer("上海申江交通建设集团有限公司", "91", "310115", 1),
    Buyer("广州南粤港务集团有限公司", "91", "440106", 2),
    Buyer("南昌洪都城市建设投资有限公司", "91", "360113", 10),
    Buyer("杭州钱塘水务集团有限公司", "91", "330106", 4),
]
INSTITUTION_BUYERS = [
    Buyer("深圳市南山区机关后勤服务中心", "12", "440305", 3),
    Buyer("广州市天河区第一实验小学", "12", "440106", 2),
    Buyer("赣州市章贡区机关事务服务中心", "12", "360702", 11),
    Buyer("北京市朝阳区农业农村局", "11", "110105", 0),
]
PRIVATE_BUYERS = [
    Buyer("深圳市优果科技有限公司", "91", "440305", 3, (5, 20)),
    Buyer("杭州西子优选电子商务有限公司", "91", "330106", 4, (5, 20)),
    Buyer("成都锦官城餐饮管理有限公司", "91", "510107", 7, (5, 20)),
]
BUDGET_BUYERS = [
    Buyer("赣州市第三中学", "12", "360702", 11, (20, 60)),
    Buyer("南昌大学后勤保障处", "12", "360113", 10, (20, 60)),
]


ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
MIX = (
    [BuyerType.INDIVIDUAL] * 22
    + [BuyerType.STATE_OWNED] * 6
    + [BuyerType.GOVERNMENT_OR_INSTITUTION] * 5
    + [BuyerType.PRIVATE_ENTERPRISE] * 4
    + [BuyerType.BUDGET_UNIT] * 3
)
BUYERS = {
    BuyerType.STATE_OWNED: STATE_OWNED_BUYERS,
    BuyerType.GOVERNMENT_OR_INSTITUTION: INSTITUTION_BUYERS,
    BuyerType.PRIVATE_ENTERPRISE: PRIVATE_BUYERS,
    BuyerType.BUDGET_UNIT: BUDGET_BUYERS,
}
COLD_SHIPPING_FEN = 1500


@dataclass
class Lot:
    batch: Batch
    variant: Variant
    product: Product
    left: int


def seed(ctx: SeedContext) -> None:
    """Paid orders of the demo consumers and organisations from the batches on sale."""
    made = seed_orders(ctx)
    ctx.echo(f"orders: {made} paid orders")


def seed_orders(ctx: SeedContext) -> int:
    rng, session = ctx.rng, ctx.session
    now = clock.now()
    consumers = list(
        session.scalars(sa.select(User).where(User.role == Role.CONSUMER).order_by(User.id))
    )
    if not consumers:
        return 0
    destinations = [d for d in DESTINATIONS if session.get(Region, d.region_code)]
    lots = _lots(session)
    failed = _recalled(session)
    on_sale = [lot for lot in lots if lot.batch.is_on_sale]
    if not on_sale or not destinations:
        return 0
    numbers: set[str] = set()
    mix = list(MIX)
    rng.shuffle(mix)
    made = 0
    for index, buyer_type in enumerate(mix):
        placed = now - timedelta(days=rng.uniform(0.1, 30), minutes=rng.randint(0, 600))
        # the recalled lot reached two orders before its sample failed
        recalled = failed is not None and index < 2
        if recalled:
            assert failed is not None and failed.harvest_date is not None
            placed = _moment(failed.harvest_date, rng.randint(1, 2), rng.randint(9, 21))
        consumer = rng.choice(consumers)
        if buyer_type == BuyerType.INDIVIDUAL:
            destination = rng.choice(destinations)
            title = tax_code = None
            quantity = (1, 3)
            recipient = consumer.display_name
        else:
            buyer = rng.choice(BUYERS[buyer_type])
            destination = destinations[min(buyer.destination, len(destinations) - 1)]
            title = buyer.title
            org = "".join(rng.choice(ORG_CHARS) for _ in range(9))
            tax_code = uscc.make(f"{buyer.entity}{buyer.division}{org}")
            quantity = buyer.bulk
            recipient = destination.recipient
        if recalled:
            picks = [next(lot for lot in lots if lot.batch is failed)]
        else:
            picks = rng.sample(on_sale, min(rng.choice([1, 1, 2, 2, 3]), len(on_sale)))
        lines: list[tuple[Lot, int]] = []
        for lot in picks:
            want = rng.randint(*quantity)
            if lot.variant.per_order_limit and buyer_type == BuyerType.INDIVIDUAL:
                want = min(want, lot.variant.per_order_limit)
            want = min(want, lot.left)
            if want > 0:
                lot.left -= want
                lines.append((lot, want))
        if not lines:
            continue
        status = _status(now - placed)
        local = clock.to_local(placed)
        number = f"YP{local:%Y%m%d}{rng.randint(0, 999999):06d}"
        while number in numbers:
            number = f"YP{local:%Y%m%d}{rng.randint(0, 999999):06d}"
        numbers.add(number)
        order = Order(
            number=number,
            consumer_id=consumer.id,
            buyer_type=buyer_type,
            invoice_title=title,
            invoice_uscc=tax_code,
            status=status,
            recipient_name=recipient,
            recipient_phone=consumer.phone or "13900000010",
            region_code=destination.region_code,
            address_detail=destination.address,
            placed_at=placed,
            paid_at=placed + timedelta(minutes=rng.randint(1, 20)),
            created_at=placed,
            updated_at=placed,
        )
        session.add(order)
        session.flush()
        subs: dict[int, SubOrder] = {}
        total = 0
        for lot, qty in lines:
            sub = subs.get(lot.variant.supplier_id)
            if sub is None:
                sub = SubOrder(
                    order_id=order.id, supplier_id=lot.variant.supplier_id, status=status
                )
                session.add(sub)
                session.flush()
                subs[lot.variant.supplier_id] = sub
            session.add(
                OrderLine(
                    sub_order_id=sub.id,
                    variant_id=lot.variant.id,
                    batch_id=lot.batch.id,
                    product_name=lot.product.name,
                    variant_spec=lot.variant.spec,
                    quantity=qty,
                    unit_price_fen=lot.variant.price_fen,
                )
            )
            sub.subtotal_fen += qty * lot.variant.price_fen
            cold = lot.product.storage_class != StorageClass.AMBIENT
            if cold and buyer_type == BuyerType.INDIVIDUAL:
                sub.shipping_fen = COLD_SHIPPING_FEN
        for sub in subs.values():
            total += sub.subtotal_fen + sub.shipping_fen
        order.total_fen = total
        made += 1
    session.flush()
    return made


def _lots(session: Session) -> list[Lot]:
    """Batches of listed products of suppliers that may sell (the recalled one too), with what
    is left of each to sell."""
    rows = session.execute(
        sa.select(Batch, Variant, Product)
        .join(Variant, Batch.variant_id == Variant.id)
        .join(Product, Variant.product_id == Product.id)
        .join(Supplier, Product.supplier_id == Supplier.id)
        .where(Product.is_listed, Supplier.can_sell)
        .order_by(Batch.id)
    ).all()
    return [Lot(batch, variant, product, batch.quantity) for batch, variant, product in rows]


def _recalled(session: Session) -> Batch | None:
    """The lot a market-supervision sample failed (it reached two orders before the sample)."""
    return session.scalars(
        sa.select(Batch)
        .join(SamplingRecord, SamplingRecord.batch_id == Batch.id)
        .where(SamplingRecord.result == InspectionResult.FAIL, ~Batch.is_on_sale)
        .order_by(Batch.id)
        .limit(1)
    ).first()


def _status(age: timedelta) -> OrderStatus:
    if age < timedelta(days=1):
        return OrderStatus.PAID
    if age < timedelta(days=3):
        return OrderStatus.SHIPPED
    if age < timedelta(days=10):
        return OrderStatus.DELIVERED
    return OrderStatus.COMPLETED


def _moment(day: date, days_after: int, hour: int) -> datetime:
    return min(at(day + timedelta(days=days_after), hour), clock.now() - timedelta(hours=2))
