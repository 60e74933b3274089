"""Certifications held by a supplier or for one product."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, enum_column

if TYPE_CHECKING:
    from catalog.models.products import Product
    from suppliers.models import Supplier
    from yipin.media.models import Image


class CertificationKind(StrEnum):
    GREEN_FOOD = "green_food"  # 绿色食品
    ORGANIC = "organic"  # 有机产品
    GEOGRAPHICAL_INDICATION = "geographical_indication"  # 农产品地理标志
    NOTABLE_PRODUCT = "notable_product"  # 全国名特优新农产品
    FOOD_PRODUCTION_LICENCE = "food_production_licence"  # 食品生产许可证 (SC)


class Certification(Base):
    """A certificate with number, issuer, scope and validity; expired ones are not valid."""

    __tablename__ = "certifications"
    __table_args__ = (
        sa.CheckConstraint("valid_from <= valid_to", name="period"),
        sa.UniqueConstraint("kind", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[CertificationKind] = enum_column(CertificationKind)
    number: Mapped[str] = mapped_column(sa.String(60))
    issuer: Mapped[str] = mapped_column(sa.String(120))
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    image_id: Mapped[int | None] = mapped_column(sa.ForeignKey("images.id"))
    revoked_at: Mapped[datetime | None]
    expiry_notified_at: Mapped[datetime | None]  # the holder was told it expired
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    supplier: Mapped[Supplier] = relationship()
    product: Mapped[Product | None] = relationship(back_populates="certifications")
    image: Mapped[Image | None] = relationship()

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    def is_valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_to

    def __repr__(self) -> str:
        return f"<Certification {self.kind} {self.number}>"
