"""The storefront's read model: one card row per product with what listings filter, sort and
facet on (``storefront_cards``, migration ``0011_storefront_cards``).

The rules stay the catalog's and the suppliers' (``Product.is_visible``,
``Product.shows_brand_on``, ``Product.in_season``): ``storefront.readmodel`` evaluates them per
product when a product, a variant, a supplier's status or a brand authorisation changes, in the
same transaction (a flush hook), and stores their inputs here. What depends on the day is kept
as dates and months and applied when a page is read (``shows_brand_on``, ``in_season``), so
midnight needs no job. Listings, facets and counts then read this narrow table through its
partial indexes (only visible rows) instead of checking every product's listing, supplier,
variants, authorisation and JSON months on each request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import StorageClass
from yipin.db import Base, enum_column

ALL_MONTHS = sum(1 << m for m in range(1, 13))  # a mask with every month: on sale all year

# Partial indexes hold visible rows only; SQLite matches a partial index only when the query's
# term is the index's own (SQLAlchemy writes a boolean column as ``visible = 1`` there).
VISIBLE = {"sqlite_where": sa.text("visible = 1"), "postgresql_where": sa.text("visible")}


class StorefrontCard(Base):
    """A product as listings see it: visibility inputs, where it is listed, its brand and the
    dates that brand may be shown, its origin county, storage, cheapest price, listed order and
    season months (bit ``1 << m`` for month ``m``)."""

    __tablename__ = "storefront_cards"
    # Partial indexes of visible rows, each covering what its pages read (SQLite reads the
    # index alone only when every column a query names is in it, ``visible`` included).
    __table_args__ = (
        # the home page's newest products, in the listings' order
        sa.Index(
            "ix_storefront_cards_listed",
            "listed_order",
            "product_id",
            "supplier_id",
            "visible",
            **VISIBLE,
        ),
        # the home page's in-season row: the newest of each group, kind (seasonal or all year)
        sa.Index(
            "ix_storefront_cards_season",
            "season_group",
            "all_year",
            "listed_order",
            "product_id",
            "brand_id",
            "category_id",
            "sale_months_mask",
            "presale_months_mask",
            "visible",
            **VISIBLE,
        ),
        # a category's listing in order, its count and its brand / county facets
        sa.Index(
            "ix_storefront_cards_category",
            "category_id",
            "listed_order",
            "product_id",
            "brand_id",
            "brand_from",
            "brand_to",
            "brand_periods",
            "supplier_id",
            "county_code",
            "storage_class",
            "sale_months_mask",
            "presale_months_mask",
            "visible",
            **VISIBLE,
        ),
        sa.Index(
            "ix_storefront_cards_category_price",
            "category_id",
            "min_price_fen",
            "product_id",
            "visible",
            **VISIBLE,
        ),
        # a brand's page in order, its count and suppliers; the home page's brand tiles
        sa.Index(
            "ix_storefront_cards_brand",
            "brand_id",
            "listed_order",
            "product_id",
            "brand_from",
            "brand_to",
            "brand_periods",
            "supplier_id",
            "min_price_fen",
            "visible",
            **VISIBLE,
        ),
    )

    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    supplier_id: Mapped[int]
    category_id: Mapped[int]
    brand_id: Mapped[int | None]
    # the supplier's unrevoked authorisations for the brand: first day, last day, how many
    # (none: the brand is never shown; more than one: the days between are checked live)
    brand_from: Mapped[date | None]
    brand_to: Mapped[date | None]
    brand_periods: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    county_code: Mapped[str] = mapped_column(sa.String(6))  # of the origin
    storage_class: Mapped[StorageClass] = enum_column(StorageClass)
    min_price_fen: Mapped[int | None]  # of the active variants
    listed_order: Mapped[datetime]  # coalesce(listed_at, created_at)
    sale_months_mask: Mapped[int] = mapped_column(default=0)
    presale_months_mask: Mapped[int] = mapped_column(default=0)
    all_year: Mapped[bool]  # on sale every month: a staple, not seasonal produce
    # the home page's in-season row takes turns between brands (unbranded: categories): the
    # brand's id, or minus the category's
    season_group: Mapped[int]
    # visibility inputs (``Product.is_visible`` is their conjunction)
    is_listed: Mapped[bool]
    supplier_can_sell: Mapped[bool]
    has_active_variant: Mapped[bool]
    visible: Mapped[bool]

    @classmethod
    def shows_brand_on(cls, day: date) -> Any:
        """SQL: the card shows its brand on ``day`` (``Product.shows_brand_on``): within the
        authorisations' span, and for a supplier holding several, live on the day."""
        from suppliers.models import BrandAuthorisation

        return sa.and_(
            cls.brand_id.is_not(None),
            cls.brand_from <= day,
            cls.brand_to >= day,
            sa.or_(
                cls.brand_periods == 1,
                BrandAuthorisation.held(cls.supplier_id, cls.brand_id, day),
            ),
        )

    @classmethod
    def in_season(cls, month: int) -> Any:
        """SQL: on sale or on pre-sale in ``month`` (``Product.in_season``)."""
        months = cls.sale_months_mask.op("|", return_type=sa.Integer)(cls.presale_months_mask)
        return months.op("&", return_type=sa.Integer)(1 << month) != 0

    def __repr__(self) -> str:
        return f"<StorefrontCard {self.product_id} visible={self.visible}>"
