"""Orders: one payment → one sub-order per supplier → lines that record their batch.

Only the core the catalog needs (traceability counts, recall lists) is here so far; checkout,
payments and after-sales extend it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column

if TYPE_CHECKING:
    from catalog.models import Batch, Variant
    from suppliers.models import Supplier
    from yipin.accounts.models import User


class BuyerType(StrEnum):
    INDIVIDUAL = "individual"  # 个人
    PRIVATE_ENTERPRISE = "private_enterprise"  # 民营企业
    GOVERNMENT_OR_INSTITUTION = "government_or_institution"  # 行政事业单位
    STATE_OWNED = "state_owned"  # 国有企业
    BUDGET_UNIT = "budget_unit"  # 预算单位 (832-style procurement)


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


SOLD_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)


class Order(TimestampMixin, Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    consumer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    buyer_type: Mapped[BuyerType] = enum_column(BuyerType, default=BuyerType.INDIVIDUAL)
    invoice_title: Mapped[str | None] = mapped_column(sa.String(120))
    invoice_uscc: Mapped[str | None] = mapped_column(sa.String(18))
    status: Mapped[OrderStatus] = enum_column(OrderStatus, default=OrderStatus.PENDING_PAYMENT)
    total_fen: Mapped[int] = mapped_column(default=0)
    recipient_name: Mapped[str] = mapped_column(sa.String(60))
    recipient_phone: Mapped[str] = mapped_column(sa.String(20))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    address_detail: Mapped[str] = mapped_column(sa.String(200))
    placed_at: Mapped[datetime] = mapped_column(default=clock.now)
    paid_at: Mapped[datetime | None]

    consumer: Mapped[User] = relationship()
    sub_orders: Mapped[list[SubOrder]] = relationship(back_populates="order")


class SubOrder(Base):
    """The part of an order one supplier fulfils."""

    __tablename__ = "sub_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    status: Mapped[OrderStatus] = enum_column(OrderStatus, default=OrderStatus.PENDING_PAYMENT)
    subtotal_fen: Mapped[int] = mapped_column(default=0)
    shipping_fen: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="sub_orders")
    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="sub_order")

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    product_name: Mapped[str] = mapped_column(sa.String(120))
    variant_spec: Mapped[str] = mapped_column(sa.String(80))
    quantity: Mapped[int]
    unit_price_fen: Mapped[int]

    sub_order: Mapped[SubOrder] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()
    batch: Mapped[Batch | None] = relationship()
