"""Payments (Stripe PaymentIntents, bank transfers, cash on delivery), refunds and the payment
provider's events as received."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orders.models.orders import PaymentMethod
from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column

if TYPE_CHECKING:
    from orders.models.orders import Order, OrderLine, SubOrder
    from yipin.accounts.models import User


class PaymentProvider(StrEnum):
    STRIPE = "stripe"
    OFFLINE = "offline"  # bank transfer, cash on delivery


class PaymentStatus(StrEnum):
    CREATING = "creating"  # written before the provider was called (retried with the same key)
    PENDING = "pending"  # waiting for the buyer (or the bank transfer, or the courier's cash)
    PROCESSING = "processing"  # the provider is confirming it
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # this attempt failed; the buyer may try again
    CANCELLED = "cancelled"


PAYMENT_OPEN = (
    PaymentStatus.CREATING,
    PaymentStatus.PENDING,
    PaymentStatus.PROCESSING,
    PaymentStatus.FAILED,
)


class Payment(TimestampMixin, Base):
    """One attempt to pay an order. At most one payment of an order succeeds."""

    __tablename__ = "payments"
    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    # cash on delivery is collected per parcel: one payment per sub-order
    sub_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    provider: Mapped[PaymentProvider] = enum_column(PaymentProvider)
    method: Mapped[PaymentMethod | None] = enum_column(PaymentMethod, nullable=True)
    offered_methods: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[PaymentStatus] = enum_column(PaymentStatus, default=PaymentStatus.CREATING)
    amount_fen: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY")
    provider_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True)  # pi_…
    client_secret: Mapped[str | None] = mapped_column(sa.String(200))
    reference: Mapped[str | None] = mapped_column(sa.String(80))  # bank reference, COD receipt
    failure_code: Mapped[str | None] = mapped_column(sa.String(60))
    failure_message: Mapped[str | None] = mapped_column(sa.String(300))
    refunded_fen: Mapped[int] = mapped_column(default=0)
    disputed: Mapped[bool] = mapped_column(default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    succeeded_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="payments")
    sub_order: Mapped[SubOrder | None] = relationship()
    confirmed_by: Mapped[User | None] = relationship()

    @property
    def owner_user_id(self) -> int:
        return self.order.consumer_id

    @property
    def is_open(self) -> bool:
        return self.status in PAYMENT_OPEN

    @property
    def stripe_idempotency_key(self) -> str:
        """The key of every create call for this payment: a retry gets the same intent."""
        return f"yipin-payment-{self.id}-create"


class RefundKind(StrEnum):
    CANCELLATION = "cancellation"  # sub-order cancelled before shipment: everything back
    PARTIAL = "partial"  # an operator's partial refund (price adjustment, missing item …)
    FULL = "full"  # an operator's refund of what is left of the sub-order
    RETURN = "return"  # goods returned (7-day no-reason or quality)
    CLAIM = "claim"  # 坏果包赔: bad fruit compensated on photos
    LATE_PAYMENT = "late_payment"  # paid after the order was cancelled and the stock was gone
    DUPLICATE = "duplicate"  # a second payment of an order already paid
    CHARGEBACK = "chargeback"  # a dispute the platform lost


class RefundStatus(StrEnum):
    PENDING = "pending"  # sent to the provider (or waiting for the operator's transfer)
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(Base):
    """Money back for one sub-order, through the method that paid (Stripe refund, or a bank
    transfer the operator records). Its reversing ledger entries are written when it succeeds."""

    __tablename__ = "refunds"
    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    # None only for money that never paid for goods (a duplicate payment)
    sub_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    kind: Mapped[RefundKind] = enum_column(RefundKind)
    status: Mapped[RefundStatus] = enum_column(RefundStatus, default=RefundStatus.PENDING)
    amount_fen: Mapped[int]
    goods_fen: Mapped[int] = mapped_column(default=0)
    shipping_fen: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    provider_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True)  # re_…
    reference: Mapped[str | None] = mapped_column(sa.String(80))  # bank reference (offline)
    failure_message: Mapped[str | None] = mapped_column(sa.String(300))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    succeeded_at: Mapped[datetime | None]

    sub_order: Mapped[SubOrder | None] = relationship(back_populates="refunds")
    payment: Mapped[Payment | None] = relationship()
    lines: Mapped[list[RefundLine]] = relationship(
        back_populates="refund", order_by="RefundLine.id", cascade="all, delete-orphan"
    )

    @property
    def owner_supplier_id(self) -> int | None:
        return self.sub_order.supplier_id if self.sub_order else None

    @property
    def stripe_idempotency_key(self) -> str:
        return f"yipin-refund-{self.id}"


class RefundLine(Base):
    """How much of a refund goes back on one order line (the ledger reverses it per line)."""

    __tablename__ = "refund_lines"
    __table_args__ = (sa.CheckConstraint("amount_fen >= 0 AND quantity >= 0", name="amounts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(
        sa.ForeignKey("refunds.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=0)  # units returned or cancelled (0: money only)
    amount_fen: Mapped[int]

    refund: Mapped[Refund] = relationship(back_populates="lines")
    line: Mapped[OrderLine] = relationship()


class PaymentEventOutcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"  # stale or irrelevant: nothing to change
    DEFERRED = "deferred"  # arrived before what it depends on; re-applied when that lands


class PaymentEvent(Base):
    """An event from the payment provider (webhook), stored before it is applied, once."""

    __tablename__ = "payment_events"
    __table_args__ = (sa.UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    provider: Mapped[PaymentProvider] = enum_column(PaymentProvider)
    event_id: Mapped[str] = mapped_column(sa.String(80))
    type: Mapped[str] = mapped_column(sa.String(60))
    object_ref: Mapped[str | None] = mapped_column(sa.String(80), index=True)  # pi_… / re_…
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    provider_created_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    outcome: Mapped[PaymentEventOutcome | None] = enum_column(PaymentEventOutcome, nullable=True)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    applied_at: Mapped[datetime | None]
