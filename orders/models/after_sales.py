"""After-sales (售后): the rules per category, returns, 坏果包赔 claims with photos; and the
operators' list of state-owned enterprises that buyer-type recognition reads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column

if TYPE_CHECKING:
    from orders.models.orders import OrderLine, SubOrder
    from yipin.accounts.models import User


class AfterSalesRule(Base):
    """What a category allows after delivery (editable data, loaded with the reference data).

    ``no_reason_return_days`` is 7 for goods under the 7-day no-reason rule and 0 for fresh
    produce, which is exempt (《网络购买商品七日无理由退货暂行办法》) unless the supplier opts in
    (``SupplierAfterSales``). ``claim_hours`` is the 坏果包赔 window after delivery (0: none).
    """

    __tablename__ = "after_sales_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), unique=True
    )
    no_reason_return_days: Mapped[int] = mapped_column(default=7)
    quality_return_days: Mapped[int] = mapped_column(default=15)
    claim_hours: Mapped[int] = mapped_column(default=0)
    fresh: Mapped[bool] = mapped_column(default=False)


class SupplierAfterSales(Base):
    """A supplier's opt-ins: accept no-reason returns even of fresh produce."""

    __tablename__ = "supplier_after_sales"

    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True
    )
    fresh_no_reason_returns: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id


class ReturnReason(StrEnum):
    NO_REASON = "no_reason"  # 七天无理由
    QUALITY = "quality"  # 质量问题
    WRONG_ITEM = "wrong_item"  # 发错货


class ReturnStatus(StrEnum):
    REQUESTED = "requested"  # 待审核
    APPROVED = "approved"  # 待退回: the buyer sends the goods back
    REJECTED = "rejected"
    RECEIVED = "received"  # 已收货 → refunded at once
    CANCELLED = "cancelled"  # withdrawn by the buyer


class ReturnRequest(TimestampMixin, Base):
    __tablename__ = "return_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    consumer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reason_kind: Mapped[ReturnReason] = enum_column(ReturnReason)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[ReturnStatus] = enum_column(ReturnStatus, default=ReturnStatus.REQUESTED)
    return_waybill: Mapped[str] = mapped_column(sa.String(40), default="")
    decision_note: Mapped[str] = mapped_column(sa.String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))

    sub_order: Mapped[SubOrder] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="request", order_by="ReturnLine.id", cascade="all, delete-orphan"
    )
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def owner_supplier_id(self) -> int:
        return self.sub_order.supplier_id


class ReturnLine(Base):
    __tablename__ = "return_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"))
    quantity: Mapped[int]

    request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    line: Mapped[OrderLine] = relationship()


class ClaimStatus(StrEnum):
    OPEN = "open"  # 待处理
    APPROVED = "approved"  # compensated with a partial refund
    REJECTED = "rejected"


class Claim(TimestampMixin, Base):
    """坏果包赔: bad fruit on arrival, shown on photos; the supplier or an operator compensates
    part of the line (a partial refund) or rejects with a reason."""

    __tablename__ = "claims"
    __table_args__ = (
        sa.CheckConstraint("bad_units > 0 AND requested_fen > 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    consumer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    bad_units: Mapped[int]  # units (or the share of a box, rounded up) that arrived bad
    requested_fen: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[ClaimStatus] = enum_column(ClaimStatus, default=ClaimStatus.OPEN)
    approved_fen: Mapped[int] = mapped_column(default=0)
    decision_note: Mapped[str] = mapped_column(sa.String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))

    sub_order: Mapped[SubOrder] = relationship()
    line: Mapped[OrderLine] = relationship()
    photos: Mapped[list[ClaimPhoto]] = relationship(
        back_populates="claim", order_by="ClaimPhoto.id", cascade="all, delete-orphan"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.sub_order.supplier_id


class ClaimPhoto(Base):
    __tablename__ = "claim_photos"
    __table_args__ = (sa.UniqueConstraint("claim_id", "image_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"))
    image_id: Mapped[int] = mapped_column(sa.ForeignKey("images.id"))

    claim: Mapped[Claim] = relationship(back_populates="photos")


class StateOwnedEnterprise(Base):
    """An enterprise operators recognise as 国有企业 (by its 统一社会信用代码)."""

    __tablename__ = "state_owned_enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=clock.now)
