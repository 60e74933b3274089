"""Reads for the search API: the products behind a page of hits, in the hits' order.

Three statements whatever the page size: the products (supplier, category, brand and origin
joined by the models) with their variants and pictures (``selectin``), and the brand
authorisations of their suppliers. Products a consumer may no longer see are dropped here, so
a product delisted a moment ago is gone from results before the index hears of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog import rules
from catalog.models import Product, RegionalBrand, Variant
from yipin.media.models import Image
from yipin.regions.models import Region


@dataclass
class Item:
    """One product of a results page."""

    product: Product
    variants: list[Variant]  # active, in display order
    brand: RegionalBrand | None  # only while the supplier's authorisation is valid
    image: Image | None
    county: Region | None
    month: int
    highlight: dict[str, str] = field(default_factory=dict)  # set from the hit

    @property
    def id(self) -> int:
        return self.product.id

    @property
    def cheapest(self) -> Variant:
        return min(self.variants, key=lambda v: (v.price_fen, v.sort_order, v.id))

    @property
    def price_fen(self) -> int:
        return self.cheapest.price_fen

    @property
    def price_max_fen(self) -> int:
        return max(v.price_fen for v in self.variants)

    @property
    def list_price_fen(self) -> int | None:
        return self.cheapest.list_price_fen

    @property
    def presale(self) -> bool:
        """Taking pre-orders this month, not on sale yet (预售)."""
        return self.month in (self.product.presale_months or []) and self.month not in (
            self.product.sale_months or []
        )


def load_items(session: Session, ids: Sequence[int], day: date) -> list[Item]:
    if not ids:
        return []
    products = session.scalars(
        sa.select(Product)
        .where(Product.id.in_(list(ids)), Product.is_visible)
        .options(selectinload(Product.variants), selectinload(Product.images))
    ).unique()
    by_id = {p.id: p for p in products}
    ordered = [by_id[i] for i in ids if i in by_id]
    branded = sorted({p.supplier_id for p in ordered if p.brand_id is not None})
    authorised = rules.authorised_brand_ids(session, branded, day) if branded else set()
    counties = {p.origin_region_code[:6] for p in ordered}
    regions = {
        r.code: r for r in session.scalars(sa.select(Region).where(Region.code.in_(counties)))
    }
    items = []
    for p in ordered:
        variants = [v for v in p.variants if v.is_active]
        if not variants:
            continue
        brand = p.brand if (p.supplier_id, p.brand_id) in authorised else None
        image = p.images[0].image if p.images else None
        items.append(
            Item(p, variants, brand, image, regions.get(p.origin_region_code[:6]), day.month)
        )
    return items
