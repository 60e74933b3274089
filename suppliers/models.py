"""Supplier, its verification history, staff invitations and brand authorisations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from yipin import clock
from yipin.config import platform_region
from yipin.db import Base, TimestampMixin, enum_column
from yipin.i18n import _l
from yipin.labels import Labels
from yipin.regions.models import Region
from yipin.validity import ValidityPeriod

if TYPE_CHECKING:
    from catalog.models import Category, RegionalBrand
    from yipin.accounts.models import User
    from yipin.media.models import Image


class SupplierKind(StrEnum):
    COOPERATIVE = "cooperative"  # 农民专业合作社
    FAMILY_FARM = "family_farm"  # 家庭农场
    ENTERPRISE = "enterprise"  # 企业


SUPPLIER_KIND_LABELS = Labels(
    SupplierKind,
    {
        SupplierKind.COOPERATIVE: _l("Farmers' cooperative"),
        SupplierKind.FAMILY_FARM: _l("Family farm"),
        SupplierKind.ENTERPRISE: _l("Enterprise"),
    },
)


class SupplierStatus(StrEnum):
    PENDING = "pending"  # 待审核
    VERIFIED = "verified"  # 已认证: may sell
    REJECTED = "rejected"  # 已驳回 (may correct and resubmit)
    SUSPENDED = "suspended"  # 已暂停


SUPPLIER_STATUS_LABELS = Labels(
    SupplierStatus,
    {
        SupplierStatus.PENDING: _l("Pending verification"),
        SupplierStatus.VERIFIED: _l("Verified"),
        SupplierStatus.REJECTED: _l("Rejected"),
        SupplierStatus.SUSPENDED: _l("Suspended"),
    },
)


class AuthorisationState(StrEnum):
    """A brand authorisation's state on a day, computed from its dates (never stored)."""

    VALID = "valid"  # 有效
    UPCOMING = "upcoming"  # 未生效
    EXPIRED = "expired"  # 已过期
    REVOKED = "revoked"  # 已撤销


AUTHORISATION_STATE_LABELS = Labels(
    AuthorisationState,
    {
        AuthorisationState.VALID: _l("Valid"),
        AuthorisationState.UPCOMING: _l("Not yet valid"),
        AuthorisationState.EXPIRED: _l("Expired"),
        AuthorisationState.REVOKED: _l("Revoked"),
    },
)


supplier_categories = sa.Table(
    "supplier_categories",
    Base.metadata,
    sa.Column("supplier_id", sa.ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class Supplier(TimestampMixin, Base):
    """A cooperative, family farm or enterprise that sells on the platform."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[SupplierKind] = enum_column(SupplierKind)
    is_leading_enterprise: Mapped[bool] = mapped_column(default=False)  # 龙头企业
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)  # 统一社会信用代码
    legal_representative: Mapped[str] = mapped_column(sa.String(60))
    contact_name: Mapped[str] = mapped_column(sa.String(60))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    address_detail: Mapped[str] = mapped_column(sa.String(200), default="")
    registered_on: Mapped[date]  # 成立日期, for the "new enterprise" reward rules
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    licence_image_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("images.id", use_alter=True)
    )  # 营业执照
    status: Mapped[SupplierStatus] = enum_column(
        SupplierStatus, default=SupplierStatus.PENDING, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    verified_at: Mapped[datetime | None]

    region: Mapped[Region] = relationship(lazy="joined")
    # the core's User knows no supplier class: the relationship back is declared here
    staff: Mapped[list[User]] = relationship(backref=backref("supplier", lazy="joined"))
    main_categories: Mapped[list[Category]] = relationship(secondary=supplier_categories)
    licence_image: Mapped[Image | None] = relationship(foreign_keys=[licence_image_id])
    authorisations: Mapped[list[BrandAuthorisation]] = relationship(
        back_populates="supplier", order_by="BrandAuthorisation.valid_from"
    )
    status_changes: Mapped[list[SupplierStatusChange]] = relationship(
        back_populates="supplier", order_by="SupplierStatusChange.at"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.id

    @hybrid_property
    def can_sell(self) -> bool:
        """Verified: its listed products are on sale (in Python and in SQL)."""
        return self.status == SupplierStatus.VERIFIED

    @can_sell.inplace.expression
    @classmethod
    def _can_sell_sql(cls) -> Any:
        return cls.status == SupplierStatus.VERIFIED

    @hybrid_method
    def holds_brand(self, brand_id: int, day: date) -> bool:
        """Holds a valid authorisation for the brand on ``day`` (loads ``authorisations``)."""
        return any(a.brand_id == brand_id and a.is_valid_on(day) for a in self.authorisations)

    @holds_brand.inplace.expression
    @classmethod
    def _holds_brand_sql(cls, brand_id: Any, day: date) -> Any:
        return BrandAuthorisation.held(cls.id, brand_id, day)

    @property
    def registered_in_city(self) -> bool:
        """Registered in the platform's region: the registering division (characters 3–8 of
        the 统一社会信用代码) lies in it."""
        return self.uscc[2:8].startswith(platform_region())

    @property
    def county_code(self) -> str:
        return self.region_code[:6]

    def __repr__(self) -> str:
        return f"<Supplier {self.id} {self.name} {self.status}>"


class SupplierStatusChange(Base):
    """Audit trail of verification: who changed the status, when and why."""

    __tablename__ = "supplier_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[SupplierStatus | None] = enum_column(SupplierStatus, nullable=True)
    to_status: Mapped[SupplierStatus] = enum_column(SupplierStatus)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)

    supplier: Mapped[Supplier] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()


class StaffInvitation(Base):
    """An owner's invitation for a person to join the supplier as staff (code shown once)."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]

    supplier: Mapped[Supplier] = relationship()

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    def is_open(self, at: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and at < self.expires_at


class BrandAuthorisation(ValidityPeriod, Base):
    """A supplier's right to use a regional public brand (品牌授权) for a period.

    "Valid on a day" and the states are the ``ValidityPeriod`` predicates, in Python and SQL.
    """

    __tablename__ = "brand_authorisations"
    __table_args__ = (sa.CheckConstraint("valid_from <= valid_to", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(
        sa.ForeignKey("regional_brands.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    certificate_number: Mapped[str | None] = mapped_column(sa.String(60))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    brand: Mapped[RegionalBrand] = relationship(lazy="joined")
    supplier: Mapped[Supplier] = relationship(back_populates="authorisations")

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    def state_on(self, day: date) -> AuthorisationState:
        """Valid / upcoming / expired / revoked on ``day``."""
        if self.is_revoked:
            return AuthorisationState.REVOKED
        if self.is_upcoming_on(day):
            return AuthorisationState.UPCOMING
        if self.is_expired_on(day):
            return AuthorisationState.EXPIRED
        return AuthorisationState.VALID

    @classmethod
    def in_state(cls, state: AuthorisationState, day: date) -> Any:
        """The SQL of ``state_on(day) == state``."""
        return {
            AuthorisationState.REVOKED: cls.is_revoked,
            AuthorisationState.UPCOMING: cls.is_upcoming_on(day),
            AuthorisationState.EXPIRED: cls.is_expired_on(day),
            AuthorisationState.VALID: cls.is_valid_on(day),
        }[AuthorisationState(state)]

    @classmethod
    def held(cls, supplier_id: Any, brand_id: Any, day: date) -> Any:
        """SQL: the supplier holds a valid authorisation for the brand on ``day``. The ids may
        be values or columns (``held(Product.supplier_id, Product.brand_id, day)`` correlates)."""
        return sa.exists().where(
            cls.supplier_id == supplier_id, cls.brand_id == brand_id, cls.is_valid_on(day)
        )
