"""Carts (购物车) of guests and consumers, and consumers' saved addresses (收货地址)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, TimestampMixin

if TYPE_CHECKING:
    from catalog.models import Variant
    from yipin.regions.models import Region


class Cart(TimestampMixin, Base):
    """A guest's cart (found by the token in its cookie) or a consumer's (one per account)."""

    __tablename__ = "carts"
    __table_args__ = (
        sa.CheckConstraint("token IS NOT NULL OR user_id IS NOT NULL", name="has_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )

    @property
    def owner_user_id(self) -> int | None:
        return self.user_id


class CartLine(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (
        sa.UniqueConstraint("cart_id", "variant_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    price_seen_fen: Mapped[int]  # the price the consumer saw when adding (price changes show)
    added_at: Mapped[datetime] = mapped_column(default=clock.now)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()


class Address(TimestampMixin, Base):
    """A delivery address anywhere in China (region down to the county, in Ganzhou to the
    village) of one consumer."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(60))
    phone: Mapped[str] = mapped_column(sa.String(20))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    detail: Mapped[str] = mapped_column(sa.String(200))
    label: Mapped[str] = mapped_column(sa.String(20), default="")  # 家 / 公司 …
    is_default: Mapped[bool] = mapped_column(default=False)

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def owner_user_id(self) -> int:
        return self.user_id
