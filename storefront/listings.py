"""The home page, a category's listing and a regional brand's page: which products, in which
order, with which facets; their cards come from ``storefront.cards``.

Which products, their order, counts and facets are read from the read model
(``storefront.models.StorefrontCard``: one narrow row per product, kept current in the
transaction of each change) through its partial indexes of visible rows; the day's rules (the
brand's authorisation dates, the season's month) are applied here from its columns.
Statements are built once per day and shape, with bound parameters."""

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
from storefront import readmodel
from storefront.cards import (
    IDS,
    ProductCard,
    card_select,
    cards_from,
    load_cards,
)
from storefront.models import StorefrontCard as Card
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
    brand: Any  # a row of regional_brands' columns
    products: int
    in_season: bool


@dataclass
class Home:
    categories: list[Any]  # rows of categories' columns
    brands: list[BrandTile]
    season: list[ProductCard]
    featured: list[ProductCard]
    month: int


@functools.cache
def _categories() -> sa.Select[Any]:
    return sa.select(*Category.__table__.c).order_by(Category.sort_order, Category.id)


def categories(session: Session) -> list[Any]:
    """Every category, in order, as rows (a column's value by its name: ``c.slug``); rows,
    not ORM objects: a page reads a few fields of each, and identity-mapped objects cost
    ten times as much to load."""
    return list(session.execute(_categories()))


@functools.lru_cache(maxsize=8)
def _brand_tiles(day: date) -> sa.Select[Any]:
    """Regional brands with how many visible products show them on ``day``."""
    counts = (
        sa.select(Card.brand_id, sa.func.count().label("n"))
        .where(Card.visible, Card.shows_brand_on(day))
        .group_by(Card.brand_id)
        .subquery()
    )
    return (
        sa.select(*RegionalBrand.__table__.c, sa.func.coalesce(counts.c.n, 0).label("shown_by"))
        .outerjoin(counts, counts.c.brand_id == RegionalBrand.id)
        .order_by(RegionalBrand.sort_order, RegionalBrand.id)
    )


def _brands(session: Session, day: date) -> list[BrandTile]:
    """Every regional brand (inactive ones too, as rows: ``b.slug``) with how many products
    show it on ``day``."""
    rows = session.execute(_brand_tiles(day)).all()
    return [BrandTile(b, b.shown_by, is_seasonal(b.season_months, day.month)) for b in rows]


def brand_tiles(session: Session, day: date) -> list[BrandTile]:
    """Active regional brands with how many products show them today."""
    return [t for t in _brands(session, day) if t.brand.is_active]


def is_seasonal(months: list[int] | None, month: int) -> bool:
    """In season this month, for produce with a season (not the year-round staples)."""
    months = months or []
    return month in months and len(set(months)) < 12


def _listed_order() -> tuple[Any, ...]:
    """Newest listed first (the home page's rows and a listing's default order)."""
    return (Card.listed_order.desc(), Card.product_id.desc())


@functools.lru_cache(maxsize=8)
def _in_season(month: int, limit: int, groups: tuple[int, ...]) -> sa.Select[Any]:
    """Visible products in season in ``month``, newest first, at most ``limit`` of each group
    (a brand, or a category for unbranded products: ``Card.season_group``) and kind (seasonal
    or year-round). One index range per group and kind, stopping after ``limit``: the newest of
    each, whatever the catalog's size."""
    members = [
        sa.select(
            sa.select(
                Card.product_id,
                Card.brand_id,
                Card.category_id,
                Card.all_year,
                Card.listed_order,
            )
            .where(
                Card.visible,
                Card.season_group == group,
                Card.all_year == all_year,
                Card.in_season(month),
            )
            .order_by(*_listed_order())
            .limit(limit)
            .subquery()
        )
        for group in groups
        for all_year in (False, True)
    ]
    newest = sa.union_all(*members).subquery()
    return sa.select(
        newest.c.product_id, newest.c.brand_id, newest.c.category_id, newest.c.all_year
    ).order_by(newest.c.listed_order.desc(), newest.c.product_id.desc())


@functools.lru_cache(maxsize=8)
def _in_season_sql(dialect: sa.Dialect, month: int, limit: int, groups: tuple[int, ...]) -> str:
    """``_in_season`` as SQL text (its values are integers): SQLAlchemy's per-execution work on
    a statement of ~40 sub-queries cost more than SQLite running it (5 ms against 0.2 ms)."""
    stmt = _in_season(month, limit, groups)
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


@functools.lru_cache(maxsize=8)
def _newest_others(limit: int) -> sa.Select[Any]:
    """The newest visible products but ``:ids``, with their suppliers."""
    return (
        sa.select(Card.product_id, Card.supplier_id)
        .where(Card.visible, Card.product_id.not_in(IDS))
        .order_by(*_listed_order())
        .limit(limit)
    )


def home(session: Session, day: date, season_limit: int = 12, featured_limit: int = 12) -> Home:
    readmodel.settle(session)  # this transaction's own changes first
    month = day.month
    # seasonal produce first (picked now or pre-sale), the year-round staples only to fill up;
    # taking turns between brands (or categories, for unbranded products). No group gives more
    # than ``season_limit``, so only the newest ``season_limit`` of each group (and kind) are
    # read: the page costs the same however large the catalog grows.
    every = categories(session)
    brands = _brands(session, day)
    groups = tuple(sorted([t.brand.id for t in brands] + [-c.id for c in every]))
    conn = session.connection()
    season_rows = (
        conn.exec_driver_sql(_in_season_sql(conn.dialect, month, season_limit, groups)).all()
        if groups
        else []  # no brand and no category yet: nothing can be in season
    )
    keyed = [(r[0], ("brand", r[1]) if r[1] else ("category", r[2]), r[3]) for r in season_rows]
    seasonal = [(i, key) for i, key, staple in keyed if not staple]
    staples = [(i, key) for i, key, staple in keyed if staple]
    season_ids = _spread(seasonal, season_limit)
    season_ids += _spread(staples, season_limit - len(season_ids))
    featured_rows = session.execute(
        _newest_others(featured_limit * 4), {"ids": season_ids or [0]}
    ).all()
    featured_ids = _spread([(r[0], r[1]) for r in featured_rows], featured_limit)
    cards = {c.id: c for c in load_cards(session, season_ids + featured_ids, day)}
    return Home(
        categories=every,
        brands=[t for t in brands if t.brand.is_active],
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
    category: Any  # rows of categories' and regional_brands' columns
    categories: list[Any]
    page: Page
    brands: list[tuple[Any, int]] = field(default_factory=list)
    counties: list[Facet] = field(default_factory=list)


@dataclass(frozen=True)
class _Shape:
    """Which conditions a listing has (its statements are built once per day and shape)."""

    scope: str  # "category" (one), "categories" (with sub-categories) or "brand"
    brand: bool = False
    county: bool = False
    storage: bool = False
    season: bool = False
    sort: str = "new"


def _where(shape: _Shape, day: date) -> list[Any]:
    where: list[Any] = [Card.visible]
    if shape.scope == "category":
        where.append(Card.category_id == sa.bindparam("category"))
    elif shape.scope == "categories":
        where.append(Card.category_id.in_(sa.bindparam("categories", expanding=True)))
    else:
        where += [Card.brand_id == sa.bindparam("brand_id"), Card.shows_brand_on(day)]
    if shape.brand:
        where += [
            Card.brand_id.in_(
                sa.select(RegionalBrand.id).where(RegionalBrand.slug == sa.bindparam("brand"))
            ),
            Card.shows_brand_on(day),
        ]
    if shape.county:
        where.append(Card.county_code == sa.bindparam("county"))
    if shape.storage:
        where.append(Card.storage_class == sa.bindparam("storage"))
    if shape.season:
        where.append(Card.in_season(day.month))
    return where


@functools.lru_cache(maxsize=128)
def _listing(day: date, shape: _Shape) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The count and one page of cards (``:limit``, ``:offset``) of a listing."""
    where = _where(shape, day)
    count = sa.select(sa.func.count()).select_from(Card).where(*where)
    if shape.sort == "price_asc":
        order: tuple[Any, ...] = (Card.min_price_fen.asc(), Card.product_id.desc())
    elif shape.sort == "price_desc":
        order = (Card.min_price_fen.desc(), Card.product_id.desc())
    else:
        order = _listed_order()
    ids = (
        sa.select(Card.product_id, Card.listed_order, Card.min_price_fen)
        .where(*where)
        .order_by(*order)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
        .subquery()
    )
    if shape.sort == "price_asc":
        outer: tuple[Any, ...] = (ids.c.min_price_fen.asc(), ids.c.product_id.desc())
    elif shape.sort == "price_desc":
        outer = (ids.c.min_price_fen.desc(), ids.c.product_id.desc())
    else:
        outer = (ids.c.listed_order.desc(), ids.c.product_id.desc())
    page = card_select(day).join(ids, ids.c.product_id == Product.id).order_by(*outer)
    return count, page


def _paged(
    session: Session,
    shape: _Shape,
    params: dict[str, Any],
    filters: Filters,
    day: date,
    per_page: int,
) -> Page:
    count, cards = _listing(day, shape)
    total = session.scalar(count, params) or 0
    page = min(filters.page, max(1, math.ceil(total / per_page)))
    params = {**params, "limit": per_page, "offset": (page - 1) * per_page}
    return Page(cards_from(session, cards, day, params) if total else [], page, per_page, total)


def _filtered(filters: Filters, scope: str) -> tuple[_Shape, dict[str, Any]]:
    params: dict[str, Any] = {}
    if filters.brand:
        params["brand"] = filters.brand
    if filters.county:
        params["county"] = filters.county
    if filters.storage:
        params["storage"] = filters.storage
    shape = _Shape(
        scope=scope,
        brand=bool(filters.brand),
        county=bool(filters.county),
        storage=bool(filters.storage),
        season=filters.season,
        sort=filters.sort,
    )
    return shape, params


@functools.lru_cache(maxsize=16)
def _facets(day: date, scope: str) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """A category's brand facet (brands shown on ``day``) and county facet."""
    where = _where(_Shape(scope=scope), day)
    brands = (
        sa.select(Card.brand_id, sa.func.count().label("n"))
        .where(*where, Card.shows_brand_on(day))
        .group_by(Card.brand_id)
        .subquery()
    )
    brand_facet = (  # rows of the brand's columns and ``n``
        sa.select(*RegionalBrand.__table__.c, brands.c.n)
        .join(brands, brands.c.brand_id == RegionalBrand.id)
        .order_by(RegionalBrand.sort_order, RegionalBrand.id)
    )
    counties = (
        sa.select(Card.county_code, sa.func.count().label("n"))
        .where(*where)
        .group_by(Card.county_code)
        .subquery()
    )
    county_facet = (
        sa.select(Region.code, Region.name, counties.c.n)
        .join(counties, counties.c.county_code == Region.code)
        .order_by(Region.code)
    )
    return brand_facet, county_facet


def category_listing(
    session: Session, slug: str, filters: Filters, day: date, per_page: int = PAGE_SIZE
) -> Listing | None:
    """A category's products with facets; None when there is no such category."""
    readmodel.settle(session)  # this transaction's own changes first
    every = categories(session)
    category = next((c for c in every if c.slug == slug), None)
    if category is None:
        return None
    ids = [category.id] + [c.id for c in every if c.parent_id == category.id]
    if len(ids) == 1:
        scope, base = "category", {"category": category.id}
    else:
        scope, base = "categories", {"categories": ids}
    brand_facet, county_facet = _facets(day, scope)
    brands = session.execute(brand_facet, base).all()
    county_rows = session.execute(county_facet, base).all()
    shape, params = _filtered(filters, scope)
    return Listing(
        category=category,
        categories=every,
        page=_paged(session, shape, {**base, **params}, filters, day, per_page),
        brands=[(b, b.n) for b in brands],
        counties=[Facet(code, name, n) for code, name, n in county_rows],
    )


@dataclass
class BrandPage:
    brand: RegionalBrand
    region: Region | None
    page: Page
    suppliers: int


@functools.lru_cache(maxsize=8)
def _brand_suppliers(day: date) -> sa.Select[Any]:
    where = _where(_Shape(scope="brand"), day)
    return sa.select(sa.func.count(sa.distinct(Card.supplier_id))).where(*where)


def brand_page(
    session: Session, slug: str, filters: Filters, day: date, per_page: int = PAGE_SIZE
) -> BrandPage | None:
    readmodel.settle(session)  # this transaction's own changes first
    brand = session.scalars(
        sa.select(RegionalBrand).where(
            RegionalBrand.slug == slug, RegionalBrand.is_active.is_(True)
        )
    ).one_or_none()
    if brand is None:
        return None
    params = {"brand_id": brand.id}
    suppliers = session.scalar(_brand_suppliers(day), params) or 0
    return BrandPage(
        brand=brand,
        region=session.get(Region, brand.region_code),
        page=_paged(
            session, _Shape(scope="brand", sort=filters.sort), params, filters, day, per_page
        ),
        suppliers=suppliers,
    )
