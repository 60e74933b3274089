"""The home page, a category's listing and a regional brand's page: which products, in which
order, with which facets; their cards come from ``storefront.cards``."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import (
    Category,
    Product,
    RegionalBrand,
    StorageClass,
)
from storefront.cards import (
    IDS,
    JsonLength,
    ProductCard,
    card_select,
    cards_from,
    load_cards,
    min_price,
)
from yipin.pagination import Page
from yipin.regions.models import Region

PAGE_SIZE = 24
SORTS = ("new", "price_asc", "price_desc")


# ----------------------------------------------------------------------------- home


def _spread(rows: Sequence[tuple[int, Any]], limit: int) -> list[int]:
    """Pick up to ``limit`` ids, taking turns between groups (so one brand doesn't fill a row)."""
    groups: dict[Any, list[int]] = {}
    for product_id, key in rows:
        groups.setdefault(key, []).append(product_id)
    picked: list[int] = []
    queues = list(groups.values())
    while queues and len(picked) < limit:
        for queue in list(queues):
            if queue:
                picked.append(queue.pop(0))
                if len(picked) == limit:
                    break
            else:
                queues.remove(queue)
    return picked


@dataclass
class BrandTile:
    brand: RegionalBrand
    products: int
    in_season: bool


@dataclass
class Home:
    categories: list[Category]
    brands: list[BrandTile]
    season: list[ProductCard]
    featured: list[ProductCard]
    month: int


@functools.cache
def _categories() -> sa.Select[Any]:
    return sa.select(Category).order_by(Category.sort_order, Category.id)


def categories(session: Session) -> list[Category]:
    return list(session.scalars(_categories()))


@functools.lru_cache(maxsize=8)
def _brand_tiles(day: date) -> sa.Select[Any]:
    """Active regional brands with how many visible products show them on ``day``."""
    counts = (
        sa.select(Product.brand_id, sa.func.count().label("n"))
        .where(Product.is_visible, Product.shows_brand_on(day))
        .group_by(Product.brand_id)
        .subquery()
    )
    return (
        sa.select(RegionalBrand, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.brand_id == RegionalBrand.id)
        .where(RegionalBrand.is_active.is_(True))
        .order_by(RegionalBrand.sort_order, RegionalBrand.id)
    )


def brand_tiles(session: Session, day: date) -> list[BrandTile]:
    """Active regional brands with how many products show them today."""
    rows = session.execute(_brand_tiles(day)).all()
    return [BrandTile(b, n, is_seasonal(b.season_months, day.month)) for b, n in rows]


def is_seasonal(months: list[int] | None, month: int) -> bool:
    """In season this month, for produce with a season (not the year-round staples)."""
    months = months or []
    return month in months and len(set(months)) < 12


def _listed_order() -> tuple[Any, ...]:
    """Newest listed first (the home page's rows and a listing's default order)."""
    return (sa.func.coalesce(Product.listed_at, Product.created_at).desc(), Product.id.desc())


@functools.lru_cache(maxsize=8)
def _in_season(month: int, limit: int) -> sa.Select[Any]:
    """Visible products in season in ``month``, newest first, at most ``limit`` of each group
    (a brand, or a category for unbranded products) and kind (seasonal or year-round)."""
    staple = JsonLength(Product.sale_months) >= 12
    group = sa.func.row_number().over(
        partition_by=(
            Product.brand_id,
            sa.case((Product.brand_id.is_(None), Product.category_id)),
            staple,
        ),
        order_by=_listed_order(),
    )
    newest = (
        sa.select(
            Product.id,
            Product.brand_id,
            Product.category_id,
            Product.sale_months,
            sa.func.coalesce(Product.listed_at, Product.created_at).label("at"),
            group.label("n"),
        )
        .where(Product.is_visible, Product.in_season(month))
        .subquery()
    )
    return (
        sa.select(newest.c.id, newest.c.brand_id, newest.c.category_id, newest.c.sale_months)
        .where(newest.c.n <= limit)
        .order_by(newest.c.at.desc(), newest.c.id.desc())
    )


@functools.lru_cache(maxsize=8)
def _newest_others(limit: int) -> sa.Select[Any]:
    """The newest visible products but ``:ids``, with their suppliers."""
    return (
        sa.select(Product.id, Product.supplier_id)
        .where(Product.is_visible, Product.id.not_in(IDS))
        .order_by(*_listed_order())
        .limit(limit)
    )


def home(session: Session, day: date, season_limit: int = 12, featured_limit: int = 12) -> Home:
    month = day.month
    # seasonal produce first (picked now or pre-sale), the year-round staples only to fill up;
    # taking turns between brands (or categories, for unbranded products). No group gives more
    # than ``season_limit``, so only the newest ``season_limit`` of each group (and kind) are
    # read: the page costs the same however large the catalog grows.
    season_rows = session.execute(_in_season(month, season_limit)).all()
    keyed = [(r[0], ("brand", r[1]) if r[1] else ("category", r[2]), r[3]) for r in season_rows]
    seasonal = [(i, key) for i, key, months in keyed if len(set(months or [])) < 12]
    staples = [(i, key) for i, key, months in keyed if len(set(months or [])) >= 12]
    season_ids = _spread(seasonal, season_limit)
    season_ids += _spread(staples, season_limit - len(season_ids))
    featured_rows = session.execute(
        _newest_others(featured_limit * 4), {"ids": season_ids or [0]}
    ).all()
    featured_ids = _spread([(r[0], r[1]) for r in featured_rows], featured_limit)
    cards = {c.id: c for c in load_cards(session, season_ids + featured_ids, day)}
    return Home(
        categories=categories(session),
        brands=brand_tiles(session, day),
        season=[cards[i] for i in season_ids if i in cards],
        featured=[cards[i] for i in featured_ids if i in cards],
        month=month,
    )


# ----------------------------------------------------------------------------- listings


@dataclass
class Filters:
    """A category listing's sorting, filters and page (unknown values are ignored)."""

    sort: str = "new"
    brand: str | None = None  # brand slug
    county: str | None = None  # 6-digit county code
    storage: StorageClass | None = None
    season: bool = False
    page: int = 1

    @classmethod
    def parse(cls, args: Any) -> Filters:
        sort = args.get("sort", "new")
        county = (args.get("county") or "").strip()
        try:
            storage: StorageClass | None = StorageClass(args.get("storage") or "")
        except ValueError:
            storage = None
        try:
            page = max(1, min(int(args.get("page", 1)), 10_000))
        except (TypeError, ValueError):
            page = 1
        return cls(
            sort=sort if sort in SORTS else "new",
            brand=(args.get("brand") or "").strip()[:40] or None,
            county=county if len(county) == 6 and county.isdigit() else None,
            storage=storage,
            season=args.get("season") in ("1", "now", "true"),
            page=page,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for a link with ``changes`` applied (None removes one)."""
        values: dict[str, Any] = {
            "sort": self.sort if self.sort != "new" else None,
            "brand": self.brand,
            "county": self.county,
            "storage": self.storage.value if self.storage else None,
            "season": "now" if self.season else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", False)}

    @property
    def active(self) -> bool:
        return bool(self.brand or self.county or self.storage or self.season)


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class Listing:
    category: Category
    categories: list[Category]
    page: Page
    brands: list[tuple[RegionalBrand, int]] = field(default_factory=list)
    counties: list[Facet] = field(default_factory=list)


def _paged(session: Session, where: list[Any], filters: Filters, day: date, per_page: int) -> Page:
    total = session.scalar(sa.select(sa.func.count()).select_from(Product).where(*where)) or 0
    if filters.sort == "price_asc":
        order: tuple[Any, ...] = (min_price().asc(), Product.id.desc())
    elif filters.sort == "price_desc":
        order = (min_price().desc(), Product.id.desc())
    else:
        order = _listed_order()
    page = min(filters.page, max(1, math.ceil(total / per_page)))
    stmt = (
        card_select(day)
        .where(*where)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(cards_from(session, stmt, day) if total else [], page, per_page, total)


def category_listing(
    session: Session, slug: str, filters: Filters, day: date, per_page: int = PAGE_SIZE
) -> Listing | None:
    """A category's products with facets; None when there is no such category."""
    every = categories(session)
    category = next((c for c in every if c.slug == slug), None)
    if category is None:
        return None
    ids = [category.id] + [c.id for c in every if c.parent_id == category.id]
    base = [Product.is_visible, Product.category_id.in_(ids)]

    brands = session.execute(
        sa.select(RegionalBrand, sa.func.count(Product.id))
        .join(Product, Product.brand_id == RegionalBrand.id)
        .where(*base, Product.shows_brand_on(day))
        .group_by(RegionalBrand.id)
        .order_by(RegionalBrand.sort_order, RegionalBrand.id)
    ).all()
    county_code = sa.func.substr(Product.origin_region_code, 1, 6)
    county_rows = session.execute(
        sa.select(Region.code, Region.name, sa.func.count(Product.id))
        .join(Product, county_code == Region.code)
        .where(*base)
        .group_by(Region.code, Region.name)
        .order_by(Region.code)
    ).all()

    where = list(base)
    if filters.brand:
        where += [
            Product.brand_id.in_(
                sa.select(RegionalBrand.id).where(RegionalBrand.slug == filters.brand)
            ),
            Product.shows_brand_on(day),
        ]
    if filters.county:
        where.append(Product.origin_region_code.startswith(filters.county, autoescape=True))
    if filters.storage:
        where.append(Product.storage_class == filters.storage)
    if filters.season:
        where.append(Product.in_season(day.month))
    return Listing(
        category=category,
        categories=every,
        page=_paged(session, where, filters, day, per_page),
        brands=[(b, n) for b, n in brands],
        counties=[Facet(code, name, n) for code, name, n in county_rows],
    )


@dataclass
class BrandPage:
    brand: RegionalBrand
    region: Region | None
    page: Page
    suppliers: int


def brand_page(
    session: Session, slug: str, filters: Filters, day: date, per_page: int = PAGE_SIZE
) -> BrandPage | None:
    brand = session.scalars(
        sa.select(RegionalBrand).where(
            RegionalBrand.slug == slug, RegionalBrand.is_active.is_(True)
        )
    ).one_or_none()
    if brand is None:
        return None
    where = [Product.is_visible, Product.brand_id == brand.id, Product.shows_brand_on(day)]
    suppliers = (
        session.scalar(sa.select(sa.func.count(sa.distinct(Product.supplier_id))).where(*where))
        or 0
    )
    return BrandPage(
        brand=brand,
        region=session.get(Region, brand.region_code),
        page=_paged(session, where, filters, day, per_page),
        suppliers=suppliers,
    )
