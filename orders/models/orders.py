"""Orders: one payment → one sub-order per supplier → lines that record their batch; the stock
reserved for each line and the history of every status change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.reference import StorageClass
from orders.status import OrderStatus
from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column

if TYPE_CHECKING:
    from catalog.models import Batch, Variant
    from orders.models.payments import Payment, Refund
    from suppliers.models import Supplier
    from yipin.accounts.models import User
    from yipin.regions.models import Region


class BuyerType(StrEnum):
    INDIVIDUAL = "individual"  # 个人
    PRIVATE_ENTERPRISE = "private_enterprise"  # 民营企业 (and other non-state organisations)
    GOVERNMENT_OR_INSTITUTION = "government_or_institution"  # 行政事业单位
    STATE_OWNED = "state_owned"  # 国有企业
    BUDGET_UNIT = "budget_unit"  # 预算单位 buying under government procurement (832-style)


class BuyerTypeBasis(StrEnum):
    """Why the order carries its buyer type (reward reports may weigh them differently)."""

    NONE = "none"  # an individual: nothing to recognise
    USCC = "uscc"  # from the 统一社会信用代码 (11 机关 / 12 事业单位, or an enterprise code)
    STATE_OWNED_LIST = "state_owned_list"  # the code is on the operators' 国有企业 list
    DECLARATION = "declaration"  # the buyer declared 国有企业; the code is not on the list yet
    PROCUREMENT = "procurement"  # a 机构编制 code buying with a government procurement number


class PaymentMethod(StrEnum):
    CARD = "card"  # 银行卡 (Stripe)
    ALIPAY = "alipay"  # 支付宝 (Stripe)
    WECHAT_PAY = "wechat_pay"  # 微信支付 (Stripe)
    BANK_TRANSFER = "bank_transfer"  # 对公转账, confirmed by an operator with the bank reference
    COD = "cod"  # 货到付款


ONLINE_METHODS = (PaymentMethod.CARD, PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY)


class Order(TimestampMixin, Base):
    """One checkout, paid once (订单). Money in fen; the destination and buyer as entered."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("consumer_id", "idempotency_key"),
        sa.Index("ix_orders_status_payment_due_at", "status", "payment_due_at"),
        sa.Index("ix_orders_placed_at", "placed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    consumer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80))
    buyer_type: Mapped[BuyerType] = enum_column(BuyerType, default=BuyerType.INDIVIDUAL)
    buyer_type_basis: Mapped[BuyerTypeBasis] = enum_column(
        BuyerTypeBasis, default=BuyerTypeBasis.NONE
    )
    invoice_requested: Mapped[bool] = mapped_column(default=False)
    invoice_title: Mapped[str | None] = mapped_column(sa.String(120))
    invoice_uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    state_owned_declared: Mapped[bool] = mapped_column(default=False)
    procurement_reference: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[OrderStatus] = enum_column(OrderStatus, default=OrderStatus.PENDING_PAYMENT)
    payment_method: Mapped[PaymentMethod | None] = enum_column(PaymentMethod, nullable=True)
    goods_fen: Mapped[int] = mapped_column(default=0)
    shipping_fen: Mapped[int] = mapped_column(default=0)
    total_fen: Mapped[int] = mapped_column(default=0)
    refunded_fen: Mapped[int] = mapped_column(default=0)
    recipient_name: Mapped[str] = mapped_column(sa.String(60))
    recipient_phone: Mapped[str] = mapped_column(sa.String(20))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    address_detail: Mapped[str] = mapped_column(sa.String(200))
    pickup_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pickup_points.id"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    placed_at: Mapped[datetime] = mapped_column(default=clock.now)
    payment_due_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(200))
    completed_at: Mapped[datetime | None]

    consumer: Mapped[User] = relationship()
    region: Mapped[Region] = relationship()
    sub_orders: Mapped[list[SubOrder]] = relationship(
        back_populates="order", order_by="SubOrder.id"
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.id")
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id"
    )

    @property
    def owner_user_id(self) -> int:
        return self.consumer_id

    @property
    def is_pickup(self) -> bool:
        return self.pickup_point_id is not None

    @property
    def is_unpaid(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT

    @property
    def province_code(self) -> str:
        return self.region_code[:2]

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"


class SubOrder(Base):
    """The part of an order one supplier fulfils (子订单): its lines and its parcel."""

    __tablename__ = "sub_orders"
    __table_args__ = (sa.Index("ix_sub_orders_supplier_id_status", "supplier_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(28), unique=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    status: Mapped[OrderStatus] = enum_column(OrderStatus, default=OrderStatus.PENDING_PAYMENT)
    subtotal_fen: Mapped[int] = mapped_column(default=0)
    shipping_fen: Mapped[int] = mapped_column(default=0)
    refunded_fen: Mapped[int] = mapped_column(default=0)
    shipping_service_code: Mapped[str | None] = mapped_column(sa.String(30))
    shipping_service_name: Mapped[str] = mapped_column(sa.String(60), default="")
    cold_chain: Mapped[bool] = mapped_column(default=False)
    storage_class: Mapped[StorageClass] = enum_column(StorageClass, default=StorageClass.AMBIENT)
    weight_g: Mapped[int] = mapped_column(default=0)
    buyer_note: Mapped[str] = mapped_column(sa.String(200), default="")
    carrier_name: Mapped[str] = mapped_column(sa.String(40), default="")
    waybill_number: Mapped[str] = mapped_column(sa.String(40), default="")
    paid_at: Mapped[datetime | None]
    routed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(200))

    order: Mapped[Order] = relationship(back_populates="sub_orders")
    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="sub_order", order_by="OrderLine.id"
    )
    refunds: Mapped[list[Refund]] = relationship(back_populates="sub_order", order_by="Refund.id")

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @property
    def total_fen(self) -> int:
        return self.subtotal_fen + self.shipping_fen

    @property
    def refundable_fen(self) -> int:
        return self.total_fen - self.refunded_fen

    def __repr__(self) -> str:
        return f"<SubOrder {self.number} {self.status}>"


class OrderLine(Base):
    """A variant bought: price, weight and names as they were when the order was placed."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("refunded_fen >= 0", name="refunded_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    product_name: Mapped[str] = mapped_column(sa.String(120))
    variant_spec: Mapped[str] = mapped_column(sa.String(80))
    variant_sku: Mapped[str] = mapped_column(sa.String(60), default="")
    quantity: Mapped[int]
    unit_price_fen: Mapped[int]
    unit_weight_g: Mapped[int] = mapped_column(default=0)
    refunded_fen: Mapped[int] = mapped_column(default=0)
    returned_quantity: Mapped[int] = mapped_column(default=0)

    sub_order: Mapped[SubOrder] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()
    batch: Mapped[Batch | None] = relationship()

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_price_fen

    @property
    def owner_supplier_id(self) -> int:
        return self.sub_order.supplier_id


class ReservationState(StrEnum):
    HELD = "held"  # reserved at checkout; freed when the payment time runs out
    ALLOCATED = "allocated"  # paid: promised to this line until it ships
    RELEASED = "released"  # freed (expired, cancelled)
    SHIPPED = "shipped"  # left the warehouse (fulfillment took the units off the shelf)


class StockReservation(Base):
    """Units of one stock row (warehouse × variant) held for an order line.

    ``stock.reserved`` counts the units of every HELD and ALLOCATED reservation; fulfillment's
    ``fulfillment.holds`` changes that column, never this package.
    """

    __tablename__ = "stock_reservations"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_stock_reservations_state_expires_at", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    stock_id: Mapped[int] = mapped_column(sa.ForeignKey("stock.id"), index=True)
    quantity: Mapped[int]
    state: Mapped[ReservationState] = enum_column(ReservationState, default=ReservationState.HELD)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    line: Mapped[OrderLine] = relationship()


class OrderEventKind(StrEnum):
    STATUS = "status"
    PAYMENT = "payment"
    REFUND = "refund"
    AFTER_SALES = "after_sales"
    NOTE = "note"


class OrderEvent(Base):
    """The order's history (订单日志): every status change, payment and refund, who and when."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    sub_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    kind: Mapped[OrderEventKind] = enum_column(OrderEventKind)
    from_status: Mapped[OrderStatus | None] = enum_column(OrderStatus, nullable=True)
    to_status: Mapped[OrderStatus | None] = enum_column(OrderStatus, nullable=True)
    code: Mapped[str] = mapped_column(sa.String(40), default="")  # what happened (labels.py)
    message: Mapped[str] = mapped_column(sa.String(300), default="")  # details: amount, reason
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
