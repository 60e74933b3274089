"""Certifications held by a supplier or for one product."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.db import Base, enum_column
from yipin.i18n import _l
from yipin.labels import Labels
from yipin.validity import ValidityPeriod

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


CERTIFICATION_KIND_LABELS = Labels(
    CertificationKind,
    {
        CertificationKind.GREEN_FOOD: _l("Green Food"),
        CertificationKind.ORGANIC: _l("Organic product"),
        CertificationKind.GEOGRAPHICAL_INDICATION: _l("Agricultural geographical indication"),
        CertificationKind.NOTABLE_PRODUCT: _l(
            "Notable, special, quality and new agricultural product"
        ),
        CertificationKind.FOOD_PRODUCTION_LICENCE: _l("Food production licence (SC)"),
    },
)
# The few characters of a badge on a product card (the full label is its title).
CERTIFICATION_KIND_BADGES = Labels(
    CertificationKind,
    {
        CertificationKind.GREEN_FOOD: _l("Green"),
        CertificationKind.ORGANIC: _l("Organic"),
        CertificationKind.GEOGRAPHICAL_INDICATION: _l("GI"),
        CertificationKind.NOTABLE_PRODUCT: _l("Notable"),
        CertificationKind.FOOD_PRODUCTION_LICENCE: _l("SC"),
    },
)

# Kinds a product card shows as a badge (the SC licence is a permit to produce, not a mark).
BADGE_KINDS = frozenset(CertificationKind) - {CertificationKind.FOOD_PRODUCTION_LICENCE}
EXPIRY_WARNING_DAYS = 30  # holders are warned this many days before the last valid day


class CertificationState(StrEnum):
    """A certificate's state on a day, always computed from its dates (never stored)."""

    VALID = "valid"  # 有效
    EXPIRED = "expired"  # 已过期
    NOT_YET_VALID = "not_yet_valid"  # 未生效
    REVOKED = "revoked"  # 已撤销


CERTIFICATION_STATE_LABELS = Labels(
    CertificationState,
    {
        CertificationState.VALID: _l("Valid"),
        CertificationState.EXPIRED: _l("Expired"),
        CertificationState.NOT_YET_VALID: _l("Not yet valid"),
        CertificationState.REVOKED: _l("Revoked"),
    },
)


class Certification(ValidityPeriod, Base):
    """A certificate with number, issuer, scope and validity; expired ones are not valid.

    "Valid on a day" and the states are the ``ValidityPeriod`` predicates, in Python and SQL.
    """

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

    def state_on(self, day: date) -> CertificationState:
        """Valid / expired / not yet valid / revoked on ``day``."""
        if self.is_revoked:
            return CertificationState.REVOKED
        if self.is_upcoming_on(day):
            return CertificationState.NOT_YET_VALID
        if self.is_expired_on(day):
            return CertificationState.EXPIRED
        return CertificationState.VALID

    @classmethod
    def in_state(cls, state: CertificationState, day: date) -> Any:
        """The SQL of ``state_on(day) == state``."""
        return {
            CertificationState.REVOKED: cls.is_revoked,
            CertificationState.NOT_YET_VALID: cls.is_upcoming_on(day),
            CertificationState.EXPIRED: cls.is_expired_on(day),
            CertificationState.VALID: cls.is_valid_on(day),
        }[CertificationState(state)]

    def expires_soon(self, day: date) -> bool:
        """Valid on ``day`` and ending within ``EXPIRY_WARNING_DAYS`` (the holder is warned)."""
        return self.expires_within(day, EXPIRY_WARNING_DAYS)

    def __repr__(self) -> str:
        return f"<Certification {self.kind} {self.number}>"
