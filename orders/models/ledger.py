"""The sales ledger (销售台账): append-only, one entry per paid line and one reversing entry per
refunded line, with the facts as they were at the moment of the sale.

Reports and rewards (issue 11) read only this table. Nothing updates or deletes a row: the ORM
refuses it here (``LedgerIsAppendOnly``) and the database refuses it too (a PostgreSQL trigger,
and on SQLite a trigger against updates; see migration ``0006_orders``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from orders.models.orders import BuyerType, BuyerTypeBasis
from yipin import clock
from yipin.db import Base, enum_column


class LedgerEntryKind(StrEnum):
    SALE = "sale"  # 销售确认: a line paid (positive amount and quantity)
    REVERSAL = "reversal"  # 退款冲销: money back on a line (negative amount, quantity ≤ 0)


class SalesLedgerEntry(Base):
    __tablename__ = "sales_ledger"
    __table_args__ = (
        sa.Index("ix_sales_ledger_occurred_at", "occurred_at"),
        sa.Index("ix_sales_ledger_supplier_id_occurred_at", "supplier_id", "occurred_at"),
        sa.Index(
            "ix_sales_ledger_origin_county_code_occurred_at", "origin_county_code", "occurred_at"
        ),
        sa.CheckConstraint(
            "(kind = 'sale' AND amount_fen >= 0 AND quantity > 0)"
            " OR (kind = 'reversal' AND amount_fen <= 0 AND quantity <= 0)",
            name="signs",
        ),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    kind: Mapped[LedgerEntryKind] = enum_column(LedgerEntryKind)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_ledger.id"))
    # who sold, and where it grew
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"))
    supplier_county_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    origin_region_code: Mapped[str] = mapped_column(sa.String(12))
    origin_county_code: Mapped[str] = mapped_column(sa.String(6))
    origin_township_code: Mapped[str | None] = mapped_column(sa.String(9))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    brand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regional_brands.id"), index=True)
    # who bought, and where it went
    buyer_type: Mapped[BuyerType] = enum_column(BuyerType)
    buyer_type_basis: Mapped[BuyerTypeBasis] = enum_column(BuyerTypeBasis)
    destination_region_code: Mapped[str] = mapped_column(sa.String(12))
    destination_province_code: Mapped[str] = mapped_column(sa.String(2))
    platform_region_code: Mapped[str] = mapped_column(sa.String(12))
    is_upward: Mapped[bool]  # 上行: sent out of the platform's region
    # how much
    quantity: Mapped[int]
    amount_fen: Mapped[int]
    occurred_at: Mapped[datetime]  # paid (sale) or refunded (reversal)
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id


class LedgerIsAppendOnly(RuntimeError):
    """An attempt to change or delete a ledger row: write a reversing entry instead."""


@sa.event.listens_for(Session, "before_flush")
def _refuse_ledger_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, SalesLedgerEntry):
            raise LedgerIsAppendOnly("sales ledger rows are never deleted")
    for obj in session.dirty:
        if isinstance(obj, SalesLedgerEntry) and session.is_modified(obj):
            raise LedgerIsAppendOnly("sales ledger rows are never changed")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_ledger_changes(state: Any) -> None:
    if not state.is_orm_statement or not (state.is_update or state.is_delete):
        return  # (Core statements on the table are the database trigger's to refuse)
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) == SalesLedgerEntry.__tablename__:
        raise LedgerIsAppendOnly("sales ledger rows are never changed or deleted")
