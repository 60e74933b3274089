"""A small marketplace whose sales go into the ledger through the orders' own writers
(``orders.ledger.record_sales`` / ``record_reversal``), and into the rollups through the outbox
(the ``jobs`` fixture runs it like a worker)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from catalog.models import Category, ProductStatus, Variant
from orders import ledger
from orders.models import (
    BuyerType,
    BuyerTypeBasis,
    Order,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
)
from suppliers.models import Supplier, SupplierKind
from tests import factories as f
from yipin.accounts.models import User
from yipin.db import db

XUNWU = "360734"  # 寻乌县
NANKANG = "360703"  # 南康区
YUDU = "360731"  # 于都县
BEIJING = "110105"
GANZHOU_CITY = "360702"  # 章贡区: inside the platform region (not 上行)
_uscc = itertools.count(100)


@dataclass
class World:
    consumer: User
    operator: User
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    variants: dict[str, Variant] = field(default_factory=dict)

    def supplier(
        self,
        key: str,
        county: str,
        kind: SupplierKind = SupplierKind.ENTERPRISE,
        *,
        registered_on: date | None = None,
    ) -> Supplier:
        supplier = f.SupplierFactory(
            name=f"{key} 农产品有限公司",
            region_code=f"{county}100201" if county in (XUNWU, NANKANG) else county,
            kind=kind,
            uscc=f.make_uscc(county, "91" if kind == SupplierKind.ENTERPRISE else "93"),
            **({"registered_on": registered_on} if registered_on else {}),
        )
        self.suppliers[key] = supplier
        category = db.session.scalars(
            sa.select(Category).where(Category.slug == "fresh-fruit")
        ).one()
        self.variants[key] = f.VariantFactory(
            product=f.ProductFactory(
                supplier=supplier,
                name=f"{key} 脐橙",
                category=category,
                origin_region_code=supplier.region_code,
                status=ProductStatus.LISTED,
            ),
            sku=f"SKU-{key}",
            price_fen=100,
        )
        db.session.flush()
        return supplier

    def sell(
        self,
        key: str,
        amount_fen: int,
        at: datetime,
        *,
        buyer_type: BuyerType = BuyerType.INDIVIDUAL,
        destination: str = BEIJING,
        buyer: User | None = None,
    ) -> Order:
        """One paid order line of ``amount_fen`` (lines of at most ¥20 million each)."""
        variant = self.variants[key]
        chunks = []
        left = amount_fen
        while left > 0:
            chunks.append(min(left, 2_000_000_000))
            left -= chunks[-1]
        order = f.paid_order(
            buyer or self.consumer,
            [(variant, 1, None) for _ in chunks],
            region_code=destination,
            buyer_type=buyer_type,
            buyer_type_basis=BuyerTypeBasis.NONE
            if buyer_type == BuyerType.INDIVIDUAL
            else BuyerTypeBasis.USCC,
        )
        for line, chunk in zip(order.sub_orders[0].lines, chunks, strict=True):
            line.unit_price_fen = chunk
        db.session.flush()
        ledger.record_sales(db.session, [s.id for s in order.sub_orders], at)
        return order

    def refund(self, order: Order, amount_fen: int, at: datetime) -> Refund:
        """Money back on the order's first line (an after-sales refund that succeeded)."""
        sub = order.sub_orders[0]
        line = sub.lines[0]
        refund = Refund(
            order_id=order.id,
            sub_order_id=sub.id,
            kind=RefundKind.PARTIAL if amount_fen < line.unit_price_fen else RefundKind.FULL,
            status=RefundStatus.SUCCEEDED,
            amount_fen=amount_fen,
            goods_fen=amount_fen,
            succeeded_at=at,
        )
        db.session.add(refund)
        db.session.flush()
        db.session.add(
            RefundLine(
                refund_id=refund.id, order_line_id=line.id, quantity=0, amount_fen=amount_fen
            )
        )
        db.session.flush()
        ledger.record_reversal(db.session, refund, at)
        return refund


def build_world() -> World:
    return World(
        consumer=f.consumer(display_name="王小明"), operator=f.operator(display_name="运营小王")
    )
