"""Paid demo orders: individuals and organisations (国有企业, 行政事业单位, 民营企业, 预算单位)
across China buying from several suppliers in one payment; every line records its batch, so the
traceability pages show units sold and a recall reaches the orders that received a lot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from catalog.models import Batch, BatchStatus, Product, ProductStatus, StorageClass, Variant
from catalog.seed import data
from catalog.seed.common import Reference, at
from orders.models import BuyerType, Order, OrderLine, OrderStatus, SubOrder
from suppliers import uscc
from suppliers.models import Supplier, SupplierStatus
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.regions.models import Region
from yipin.seed.context import SeedContext

ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
MIX = (
    [BuyerType.INDIVIDUAL] * 22
    + [BuyerType.STATE_OWNED] * 6
    + [BuyerType.GOVERNMENT_OR_INSTITUTION] * 5
    + [BuyerType.PRIVATE_ENTERPRISE] * 4
    + [BuyerType.BUDGET_UNIT] * 3
)
BUYERS = {
    BuyerType.STATE_OWNED: data.STATE_OWNED_BUYERS,
    BuyerType.GOVERNMENT_OR_INSTITUTION: data.INSTITUTION_BUYERS,
    BuyerType.PRIVATE_ENTERPRISE: data.PRIVATE_BUYERS,
    BuyerType.BUDGET_UNIT: data.BUDGET_BUYERS,
}
COLD_SHIPPING_FEN = 1500


@dataclass
class Lot:
    batch: Batch
    variant: Variant
    product: Product
    left: int


def seed_orders(
    ctx: SeedContext, ref: Reference, batches: list[Batch], failed: Batch | None
) -> int:
    rng, session = ctx.rng, ctx.session
    now = clock.now()
    consumers = list(
        session.scalars(sa.select(User).where(User.role == Role.CONSUMER).order_by(User.id))
    )
    if not consumers:
        return 0
    destinations = [d for d in data.DESTINATIONS if session.get(Region, d.region_code)]
    lots = _lots(session, batches + ([failed] if failed else []))
    on_sale = [lot for lot in lots if lot.batch.status == BatchStatus.ACTIVE]
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


def _lots(session: sa.orm.Session, batches: list[Batch]) -> list[Lot]:
    """Batches of listed products of verified suppliers (and the recalled one), with what is
    left of each to sell."""
    ids = [b.id for b in batches]
    rows = session.execute(
        sa.select(Batch, Variant, Product)
        .join(Variant, Batch.variant_id == Variant.id)
        .join(Product, Variant.product_id == Product.id)
        .join(Supplier, Product.supplier_id == Supplier.id)
        .where(
            Batch.id.in_(ids),
            Product.status == ProductStatus.LISTED,
            Supplier.status == SupplierStatus.VERIFIED,
        )
        .order_by(Batch.id)
    ).all()
    return [Lot(batch, variant, product, batch.quantity) for batch, variant, product in rows]


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
