"""Writing the sales ledger (``SalesLedgerEntry``): sales when lines are paid, reversals when
refunds succeed. Each is one ``INSERT … SELECT`` whatever the number of lines, and each is
idempotent (a line is recorded as sold once; a refund is reversed once).

The facts are copied as they are at that moment: the supplier's county, the product's origin
(county and township), category and regional brand (only while the supplier's authorisation
for the brand is valid that day — the rule the storefront shows the brand by), the buyer type,
the destination and whether it lies outside the platform region (上行). Goods only: shipping
fees are not sales of farm products.

Each write emits ``orders.ledger_recorded`` ``{days: [Shanghai dates]}`` (once per
transaction and day): the reports domain keeps its daily rollups current from it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, aliased

from catalog.models import Product, Variant
from orders.models import (
    LedgerEntryKind,
    Order,
    OrderLine,
    Refund,
    RefundLine,
    SalesLedgerEntry,
    SubOrder,
)
from suppliers.models import BrandAuthorisation, Supplier
from yipin import clock, outbox

COLUMNS = [
    "kind",
    "order_id",
    "sub_order_id",
    "order_line_id",
    "refund_id",
    "reverses_id",
    "supplier_id",
    "supplier_county_code",
    "origin_region_code",
    "origin_county_code",
    "origin_township_code",
    "product_id",
    "variant_id",
    "category_id",
    "brand_id",
    "buyer_type",
    "buyer_type_basis",
    "destination_region_code",
    "destination_province_code",
    "platform_region_code",
    "is_upward",
    "quantity",
    "amount_fen",
    "occurred_at",
    "recorded_at",
]


def platform_region() -> str:
    """The region whose suppliers the platform serves (上行 is out of it)."""
    return str(current_app.config["PLATFORM_REGION"])


def _prefix(column: sa.ColumnElement[str], n: int) -> sa.ColumnElement[str]:
    return sa.func.substr(column, 1, n)


def _recorded(session: Session, rows: int, occurred_at: datetime) -> int:
    """Tell the rollups about the day written to (the rowcount of ``INSERT … SELECT`` through
    the ORM is not reliable on every driver, so the day is told whenever rows may have come)."""
    day = clock.to_local(occurred_at).date().isoformat()
    outbox.emit(session, "orders.ledger_recorded", {"days": [day]}, once_per_transaction=True)
    return rows


def record_sales(session: Session, sub_order_ids: list[int], occurred_at: datetime) -> int:
    """One sale entry per line of these sub-orders not recorded yet; returns how many."""
    if not sub_order_ids:
        return 0
    region = platform_region()
    day = clock.to_local(occurred_at).date()
    authorised = sa.exists().where(
        BrandAuthorisation.supplier_id == Product.supplier_id,
        BrandAuthorisation.brand_id == Product.brand_id,
        BrandAuthorisation.revoked_at.is_(None),
        BrandAuthorisation.valid_from <= day,
        BrandAuthorisation.valid_to >= day,
    )
    recorded = aliased(SalesLedgerEntry)
    origin = Product.origin_region_code
    select = (
        sa.select(
            sa.literal(LedgerEntryKind.SALE.value),
            Order.id,
            SubOrder.id,
            OrderLine.id,
            sa.null(),
            sa.null(),
            Supplier.id,
            _prefix(Supplier.region_code, 6),
            origin,
            _prefix(origin, 6),
            sa.case((sa.func.length(origin) >= 9, _prefix(origin, 9)), else_=sa.null()),
            Product.id,
            Variant.id,
            Product.category_id,
            sa.case((authorised, Product.brand_id), else_=sa.null()),
            Order.buyer_type,
            Order.buyer_type_basis,
            Order.region_code,
            _prefix(Order.region_code, 2),
            sa.literal(region),
            sa.not_(Order.region_code.startswith(region)),
            OrderLine.quantity,
            OrderLine.quantity * OrderLine.unit_price_fen,
            sa.literal(occurred_at, SalesLedgerEntry.occurred_at.type),
            sa.literal(clock.now(), SalesLedgerEntry.recorded_at.type),
        )
        .select_from(OrderLine)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .join(Order, Order.id == SubOrder.order_id)
        .join(Variant, Variant.id == OrderLine.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Supplier, Supplier.id == SubOrder.supplier_id)
        .where(
            SubOrder.id.in_(sub_order_ids),
            ~sa.exists().where(
                recorded.order_line_id == OrderLine.id, recorded.kind == LedgerEntryKind.SALE
            ),
        )
    )
    result = session.execute(
        sa.insert(SalesLedgerEntry).from_select(COLUMNS, select),
        execution_options={"synchronize_session": False},
    )
    return _recorded(session, max(0, result.rowcount or 0), occurred_at)


def record_reversal(session: Session, refund: Refund, occurred_at: datetime) -> int:
    """A reversing entry for each line the refund gives money (or units) back on."""
    sale = aliased(SalesLedgerEntry)
    done = aliased(SalesLedgerEntry)
    columns = [getattr(sale, name) for name in COLUMNS]
    values = dict(zip(COLUMNS, columns, strict=True))
    values.update(
        kind=sa.literal(LedgerEntryKind.REVERSAL.value),
        refund_id=sa.literal(refund.id),
        reverses_id=sale.id,
        quantity=-RefundLine.quantity,
        amount_fen=-RefundLine.amount_fen,
        occurred_at=sa.literal(occurred_at, SalesLedgerEntry.occurred_at.type),
        recorded_at=sa.literal(clock.now(), SalesLedgerEntry.recorded_at.type),
    )
    select = (
        sa.select(*[values[name] for name in COLUMNS])
        .select_from(RefundLine)
        .join(
            sale,
            sa.and_(
                sale.order_line_id == RefundLine.order_line_id,
                sale.kind == LedgerEntryKind.SALE,
            ),
        )
        .where(
            RefundLine.refund_id == refund.id,
            sa.or_(RefundLine.amount_fen > 0, RefundLine.quantity > 0),
            ~sa.exists().where(
                done.refund_id == refund.id, done.order_line_id == RefundLine.order_line_id
            ),
        )
    )
    result = session.execute(
        sa.insert(SalesLedgerEntry).from_select(COLUMNS, select),
        execution_options={"synchronize_session": False},
    )
    return _recorded(session, max(0, result.rowcount or 0), occurred_at)
