"""Products (SPU), variants (SKU), their images and the listing review trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from catalog.models.reference import (
    Category,
    Grade,
    GradeStandard,
    RegionalBrand,
    StorageClass,
)
from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column
from yipin.i18n import _l
from yipin.labels import Labels
from yipin.media.models import Image
from yipin.regions.models import Region

if TYPE_CHECKING:
    from catalog.models.batches import Batch
    from catalog.models.certifications import Certification
    from suppliers.models import Supplier
    from yipin.accounts.models import User


class ProductStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    PENDING_REVIEW = "pending_review"  # 待审核
    LISTED = "listed"  # 已上架
    REJECTED = "rejected"  # 已驳回
    DELISTED = "delisted"  # 已下架 (by the supplier, an operator or a failed sample)


PRODUCT_STATUS_LABELS = Labels(
    ProductStatus,
    {
        ProductStatus.DRAFT: _l("Draft"),
        ProductStatus.PENDING_REVIEW: _l("In review"),
        ProductStatus.LISTED: _l("Listed"),
        ProductStatus.REJECTED: _l("Rejected"),
        ProductStatus.DELISTED: _l("Delisted"),
    },
)


class _MonthIn(FunctionElement[bool]):
    """SQL: ``month`` is one of the months in a JSON list column (sale / pre-sale months)."""

    type = sa.Boolean()
    inherit_cache = True
    name = "month_in"


@compiles(_MonthIn, "postgresql")
def _month_in_postgresql(element: _MonthIn, compiler: Any, **kw: Any) -> str:
    column, month = element.clauses
    return f"({compiler.process(column, **kw)} @> to_jsonb({compiler.process(month, **kw)}))"


@compiles(_MonthIn)
def _month_in_json_each(element: _MonthIn, compiler: Any, **kw: Any) -> str:
    column, month = element.clauses
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "
        f"WHERE json_each.value = {compiler.process(month, **kw)})"
    )


class Product(TimestampMixin, Base):
    """A product (SPU) of one supplier: what it is, where it grows, how it keeps."""

    __tablename__ = "products"
    __table_args__ = (
        # the storefront's order, newest listed first (migration 0010_storefront_listed_order)
        sa.Index(
            "ix_products_listed_order",
            sa.text("coalesce(listed_at, created_at) DESC"),
            sa.text("id DESC"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    brand_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regional_brands.id"), index=True)
    grade_standard_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grade_standards.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    subtitle: Mapped[str] = mapped_column(sa.String(200), default="")
    origin_region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    storage_class: Mapped[StorageClass] = enum_column(StorageClass, default=StorageClass.AMBIENT)
    shelf_life_days: Mapped[int]
    sale_months: Mapped[list[Any]] = mapped_column(default=list)  # months on sale, 1–12
    presale_months: Mapped[list[Any]] = mapped_column(default=list)  # pre-sale before harvest
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProductStatus] = enum_column(
        ProductStatus, default=ProductStatus.DRAFT, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    revision: Mapped[int] = mapped_column(default=1)  # bumps on every content change
    submitted_at: Mapped[datetime | None]
    listed_at: Mapped[datetime | None]

    supplier: Mapped[Supplier] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    brand: Mapped[RegionalBrand | None] = relationship(lazy="joined")
    grade_standard: Mapped[GradeStandard | None] = relationship()
    origin: Mapped[Region] = relationship(lazy="joined")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.sort_order, Variant.id"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )
    certifications: Mapped[list[Certification]] = relationship(back_populates="product")
    reviews: Mapped[list[ListingReview]] = relationship(
        back_populates="product", order_by="ListingReview.at"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @hybrid_property
    def is_listed(self) -> bool:
        return self.status == ProductStatus.LISTED

    @is_listed.inplace.expression
    @classmethod
    def _is_listed_sql(cls) -> Any:
        return cls.status == ProductStatus.LISTED

    @hybrid_property
    def is_visible(self) -> bool:
        """What a consumer may see (storefront, search): listed, of a supplier that may sell,
        with at least one variant on sale."""
        return self.is_listed and self.supplier.can_sell and any(v.is_active for v in self.variants)

    @is_visible.inplace.expression
    @classmethod
    def _is_visible_sql(cls) -> Any:
        from suppliers.models import Supplier

        return sa.and_(
            cls.status == ProductStatus.LISTED,
            cls.supplier_id.in_(sa.select(Supplier.id).where(Supplier.can_sell)),
            sa.exists().where(Variant.product_id == cls.id, Variant.is_active.is_(True)),
        )

    @hybrid_method
    def on_sale_in(self, month: int) -> bool:
        """Harvested and on sale in ``month`` (1–12)."""
        return month in (self.sale_months or [])

    @on_sale_in.inplace.expression
    @classmethod
    def _on_sale_in_sql(cls, month: int) -> ColumnElement[bool]:
        return _MonthIn(cls.sale_months, sa.cast(sa.literal(month), sa.Integer))

    @hybrid_method
    def presale_in(self, month: int) -> bool:
        """Taking pre-orders in ``month`` (before the harvest; shown as 预售)."""
        return month in (self.presale_months or [])

    @presale_in.inplace.expression
    @classmethod
    def _presale_in_sql(cls, month: int) -> ColumnElement[bool]:
        return _MonthIn(cls.presale_months, sa.cast(sa.literal(month), sa.Integer))

    @hybrid_method
    def in_season(self, month: int) -> bool:
        """On sale or on pre-sale in ``month``."""
        return self.on_sale_in(month) or self.presale_in(month)

    @in_season.inplace.expression
    @classmethod
    def _in_season_sql(cls, month: int) -> ColumnElement[bool]:
        return sa.or_(cls.on_sale_in(month), cls.presale_in(month))

    @hybrid_method
    def shows_brand_on(self, day: date) -> bool:
        """It carries a brand and its supplier holds a valid authorisation for it on ``day``
        (otherwise no page shows the brand)."""
        return self.brand_id is not None and self.supplier.holds_brand(self.brand_id, day)

    @shows_brand_on.inplace.expression
    @classmethod
    def _shows_brand_on_sql(cls, day: date) -> Any:
        from suppliers.models import BrandAuthorisation

        return sa.and_(
            cls.brand_id.is_not(None),
            BrandAuthorisation.held(cls.supplier_id, cls.brand_id, day),
        )

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name} {self.status}>"


class Variant(TimestampMixin, Base):
    """A sellable variant (SKU): grade, spec, weights and price in fen."""

    __tablename__ = "variants"
    __table_args__ = (
        sa.UniqueConstraint("supplier_id", "sku"),
        sa.CheckConstraint("price_fen > 0", name="price_positive"),
        sa.CheckConstraint("list_price_fen IS NULL OR list_price_fen >= price_fen", name="list"),
        sa.CheckConstraint("net_weight_g > 0 AND gross_weight_g >= net_weight_g", name="weight"),
        sa.CheckConstraint("per_order_limit IS NULL OR per_order_limit > 0", name="limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    sku: Mapped[str] = mapped_column(sa.String(60))
    grade_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grades.id"))
    spec: Mapped[str] = mapped_column(sa.String(80))  # "5 kg 75–80 mm"
    net_weight_g: Mapped[int]
    gross_weight_g: Mapped[int]
    price_fen: Mapped[int]
    list_price_fen: Mapped[int | None]
    per_order_limit: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="variants")
    grade: Mapped[Grade | None] = relationship(lazy="joined")
    batches: Mapped[list[Batch]] = relationship(back_populates="variant")

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    def __repr__(self) -> str:
        return f"<Variant {self.id} {self.sku} {self.price_fen}>"


class ProductImage(Base):
    __tablename__ = "product_images"
    __table_args__ = (sa.UniqueConstraint("product_id", "image_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    image_id: Mapped[int] = mapped_column(sa.ForeignKey("images.id"))
    position: Mapped[int] = mapped_column(default=0)
    alt: Mapped[str] = mapped_column(sa.String(120), default="")

    product: Mapped[Product] = relationship(back_populates="images")
    image: Mapped[Image] = relationship(lazy="joined")


class ReviewEvent(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    DELISTED = "delisted"
    RELISTED = "relisted"
    RETURNED_TO_REVIEW = "returned_to_review"  # a content change of a listed product
    WITHDRAWN = "withdrawn"  # the supplier took a pending submission back (to draft)


REVIEW_EVENT_LABELS = Labels(
    ReviewEvent,
    {
        ReviewEvent.SUBMITTED: _l("Submitted for review"),
        ReviewEvent.APPROVED: _l("Approved"),
        ReviewEvent.REJECTED: _l("Rejected"),
        ReviewEvent.DELISTED: _l("Delisted"),
        ReviewEvent.RELISTED: _l("Relisted"),
        ReviewEvent.RETURNED_TO_REVIEW: _l("Content changed: back to review"),
        ReviewEvent.WITHDRAWN: _l("Withdrawn by the supplier"),
    },
)


class ListingReview(Base):
    """Audit trail of a product's listing: submissions, decisions and their reasons."""

    __tablename__ = "listing_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[ReviewEvent] = enum_column(ReviewEvent)
    revision: Mapped[int]
    reason: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    # The product's reviewable content at this event (fields, variants, images): the review
    # page diffs the current content against the last approved snapshot (migration 0002_catalog).
    snapshot: Mapped[dict[str, Any] | None]

    product: Mapped[Product] = relationship(back_populates="reviews")
    actor: Mapped[User | None] = relationship()
