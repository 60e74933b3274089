"""Reads for the consumer pages: light Core queries into plain dataclasses.

What a consumer may see is the catalog's rule ``Product.is_visible`` (listed, of a supplier that
may sell, with at least one active variant). A product shows its regional brand only while
``Product.shows_brand_on(day)``; a certificate shows as valid only while
``Certification.is_valid_on(day)``. These predicates are defined once, in Python and in SQL, on
the models (catalog and suppliers own them); this module only composes them, live on every
request (a delisting or a failed sample shows at once).

Every page issues a fixed number of statements however many products it shows (the tests pin
the counts): cards take three (``card_select``: the products with category, origin, the brand
they may show today and their first picture; their active variants with grades; their valid
badge certificates), read as rows into slotted dataclasses, not ORM objects. Statements are
built once (per day where a day is in them, with ``:ids``-style parameters) and reused:
building and keying a statement costs more than running it. See README.md (speed).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.expression import FunctionElement

from catalog.models import (
    BADGE_KINDS,
    Batch,
    Category,
    Certification,
    CertificationKind,
    Grade,
    GradeStandard,
    Product,
    ProductImage,
    RegionalBrand,
    StorageClass,
    Variant,
)
from yipin.media.models import Image
from yipin.pagination import Page
from yipin.regions.models import Region

PAGE_SIZE = 24
IDS = sa.bindparam("ids", expanding=True)  # the products a cached statement reads
SORTS = ("new", "price_asc", "price_desc")


# ----------------------------------------------------------------------------- predicates
# What a consumer may see is the catalog's rule: ``Product.is_visible`` (listed, of a supplier
# that may sell, with a variant on sale); a brand shows only under ``Product.shows_brand_on``;
# in season is ``Product.in_season(month)`` (on sale or pre-sale).


class _JsonLength(FunctionElement[int]):
    """SQL: the number of elements of a JSON list column (``sale_months``)."""

    type = sa.Integer()
    inherit_cache = True
    name = "json_length"


@compiles(_JsonLength, "postgresql")
def _json_length_postgresql(element: _JsonLength, compiler: Any, **kw: Any) -> str:
    return f"jsonb_array_length({compiler.process(element.clauses, **kw)})"


@compiles(_JsonLength)
def _json_length(element: _JsonLength, compiler: Any, **kw: Any) -> str:
    return f"json_array_length({compiler.process(element.clauses, **kw)})"


def _min_price() -> Any:
    return (
        sa.select(sa.func.min(Variant.price_fen))
        .where(Variant.product_id == Product.id, Variant.is_active.is_(True))
        .correlate(Product)
        .scalar_subquery()
    )


# ----------------------------------------------------------------------------- cards
# Cards are read with light Core queries into plain slotted dataclasses (no ORM identity map,
# no relationship loading): one statement for the products with their category, origin, the
# brand they may show today and their first picture; one for the active variants with their
# grades; one for the valid badge certificates. Visibility is always checked live.


@dataclass(slots=True, frozen=True)
class CardGrade:
    """A grade as a card shows it (``grade_label`` reads ``name`` and ``name_en``)."""

    id: int
    name: str
    name_en: str
    rank: int


@dataclass(slots=True, frozen=True)
class CardVariant:
    """An active variant's price and grade."""

    id: int
    price_fen: int
    list_price_fen: int | None
    sort_order: int
    grade: CardGrade | None


@dataclass(slots=True, frozen=True)
class CardBrand:
    """The regional brand a card shows (only while the supplier is authorised)."""

    id: int
    slug: str
    name: str
    name_en: str


@dataclass(slots=True, frozen=True)
class CardImage:
    """A picture: what ``images.url`` and the picture markup read."""

    id: int
    renditions: dict[str, Any]


@dataclass(slots=True, frozen=True)
class CardCertificate:
    """A badge certificate valid today."""

    kind: str
    number: str


@dataclass(slots=True, frozen=True)
class CardPlace:
    """The origin's name and full name (``county_name`` reads them)."""

    name: str
    full_name: str


@dataclass(slots=True)
class ProductCard:
    """What a product card (and the product page's header) shows."""

    id: int
    name: str
    supplier_id: int
    category_slug: str
    origin: CardPlace | Region
    storage_class: StorageClass
    sale_months: list[int]
    presale_months: list[int]
    image: CardImage | Image | None
    brand: CardBrand | RegionalBrand | None  # None unless the authorisation is valid today
    variants: list[Any]  # active ones (CardVariant or Variant), in display order
    certifications: list[Any]  # valid today, badge kinds only
    month: int

    @property
    def cheapest(self) -> Any:
        """The cheapest active variant (ties: display order)."""
        return min(self.variants, key=lambda v: (v.price_fen, v.sort_order, v.id))

    @property
    def price_fen(self) -> int:
        return int(self.cheapest.price_fen)

    @property
    def list_price_fen(self) -> int | None:
        return self.cheapest.list_price_fen

    @property
    def has_range(self) -> bool:
        return len({v.price_fen for v in self.variants}) > 1

    @property
    def grades(self) -> list[Any]:
        """The grades its active variants carry, best first."""
        seen: dict[int, Any] = {}
        for v in self.variants:
            if v.grade is not None:
                seen.setdefault(v.grade.id, v.grade)
        return sorted(seen.values(), key=lambda g: g.rank)

    @property
    def presale(self) -> bool:
        return self.month in (self.presale_months or [])

    @property
    def on_sale_now(self) -> bool:
        return self.month in (self.sale_months or [])

    @property
    def all_year(self) -> bool:
        return len(self.sale_months or []) >= 12

    @property
    def ships_from(self) -> int | None:
        """For a pre-sale product: the first month on sale after this one (the harvest)."""
        months = self.sale_months or []
        for step in range(1, 13):
            candidate = (self.month - 1 + step) % 12 + 1
            if candidate in months:
                return candidate
        return None


def _first_image_id() -> Any:
    return (
        sa.select(ProductImage.image_id)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )


@functools.lru_cache(maxsize=8)
def card_select(day: date) -> sa.Select[Any]:
    """The card columns of products (add the conditions, order and limit). Statements are
    built once per day and reused: building and keying a statement costs more than running
    it."""
    return (
        sa.select(
            Product.id,
            Product.name,
            Product.supplier_id,
            Product.sale_months,
            Product.presale_months,
            Product.storage_class,
            Category.slug,
            Region.name,
            Region.full_name,
            RegionalBrand.id,
            RegionalBrand.slug,
            RegionalBrand.name,
            RegionalBrand.name_en,
            Image.id,
            Image.renditions,
        )
        .join(Category, Category.id == Product.category_id)
        .join(Region, Region.code == Product.origin_region_code)
        .outerjoin(
            RegionalBrand,
            sa.and_(RegionalBrand.id == Product.brand_id, Product.shows_brand_on(day)),
        )
        .outerjoin(Image, Image.id == _first_image_id())
    )


@functools.cache
def _variants_of() -> sa.Select[Any]:
    """Active variants (with their grades) of the products ``:ids``, in display order."""
    return (
        sa.select(
            Variant.product_id,
            Variant.id,
            Variant.price_fen,
            Variant.list_price_fen,
            Variant.sort_order,
            Grade.id,
            Grade.name,
            Grade.name_en,
            Grade.rank,
        )
        .outerjoin(Grade, Grade.id == Variant.grade_id)
        .where(Variant.product_id.in_(IDS), Variant.is_active.is_(True))
        .order_by(Variant.product_id, Variant.sort_order, Variant.id)
    )


@functools.lru_cache(maxsize=8)
def _badges_of(day: date) -> sa.Select[Any]:
    """Badge certificates of the products ``:ids`` valid on ``day``."""
    return (
        sa.select(Certification.product_id, Certification.kind, Certification.number)
        .where(
            Certification.product_id.in_(IDS),
            Certification.kind.in_(sorted(BADGE_KINDS)),
            Certification.is_valid_on(day),
        )
        .order_by(Certification.id)
    )


@functools.lru_cache(maxsize=8)
def _visible_cards(day: date) -> sa.Select[Any]:
    """Cards of the visible products among ``:ids``."""
    return card_select(day).where(Product.id.in_(IDS), Product.is_visible)


def cards_from(
    session: Session, stmt: sa.Select[Any], day: date, params: dict[str, Any] | None = None
) -> list[ProductCard]:
    """Cards of the rows of ``stmt`` (a ``card_select``), in its order: two more statements
    (variants with grades, badge certificates), none when there are no rows."""
    rows = session.execute(stmt, params or {}).all()
    if not rows:
        return []
    ids = [r[0] for r in rows]
    variants: dict[int, list[CardVariant]] = {}
    for pid, vid, price, list_price, order, gid, gname, gname_en, grank in session.execute(
        _variants_of(), {"ids": ids}
    ):
        grade = CardGrade(gid, gname, gname_en or "", grank) if gid is not None else None
        variants.setdefault(pid, []).append(CardVariant(vid, price, list_price, order, grade))
    certificates: dict[int, list[CardCertificate]] = {}
    for pid, kind, number in session.execute(_badges_of(day), {"ids": ids}):
        certificates.setdefault(pid, []).append(CardCertificate(str(kind), number))
    month = day.month
    cards = []
    for row in rows:
        pid = row[0]
        if pid not in variants:  # not visible any more (the row was read before)
            continue
        cards.append(
            ProductCard(
                id=pid,
                name=row[1],
                supplier_id=row[2],
                sale_months=row[3] or [],
                presale_months=row[4] or [],
                storage_class=row[5],
                category_slug=row[6],
                origin=CardPlace(row[7], row[8]),
                brand=CardBrand(row[9], row[10], row[11], row[12] or "")
                if row[9] is not None
                else None,
                image=CardImage(row[13], row[14] or {}) if row[13] is not None else None,
                variants=variants[pid],
                certifications=certificates.get(pid, []),
                month=month,
            )
        )
    return cards


def load_cards(session: Session, ids: Sequence[int], day: date) -> list[ProductCard]:
    """Cards of these (visible) products, in the order given."""
    if not ids:
        return []
    cards = cards_from(session, _visible_cards(day), day, {"ids": list(ids)})
    by_id = {c.id: c for c in cards}
    return [by_id[i] for i in ids if i in by_id]


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


# ----------------------------------------------------------------------------- home


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
    staple = _JsonLength(Product.sale_months) >= 12
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
        order: tuple[Any, ...] = (_min_price().asc(), Product.id.desc())
    elif filters.sort == "price_desc":
        order = (_min_price().desc(), Product.id.desc())
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


# ----------------------------------------------------------------------------- product page


@dataclass
class ProductPage:
    product: Product
    card: ProductCard
    selected: Variant
    standard: GradeStandard | None
    grades: list[Grade]  # the grades its variants carry, best first
    certifications: list[Certification]  # product's and supplier's, valid today
    expired: list[Certification]  # past their validity (shown as expired, never as valid)
    batches: list[Batch]  # active batches of its active variants: their 合格证
    related: list[ProductCard]

    @property
    def grade_table(self) -> list[tuple[str, list[str]]]:
        """Rows of (criterion, value for each grade in ``grades``), criteria in standard order."""
        names: list[str] = []
        values: list[dict[str, str]] = []
        for grade in self.grades:
            row: dict[str, str] = {}
            for item in grade.criteria or []:
                name, value = _criterion(item)
                row[name] = value
                if name not in names:
                    names.append(name)
            values.append(row)
        return [(name, [row.get(name, "—") for row in values]) for name in names]


def _criterion(item: Any) -> tuple[str, str]:
    if isinstance(item, dict):
        return str(item.get("criterion", "")), str(item.get("value", ""))
    name, value = item
    return str(name), str(value)


@functools.lru_cache(maxsize=8)
def _product_of(day: date) -> sa.Select[Any]:
    """The visible product ``:product_id`` with what its page shows, and whether it shows its
    brand on ``day``."""
    return (
        sa.select(Product, Product.shows_brand_on(day))
        .where(Product.id == sa.bindparam("product_id"), Product.is_visible)
        .options(
            selectinload(Product.variants),  # Variant.grade is joined
            selectinload(Product.images),  # ProductImage.image is joined
            joinedload(Product.grade_standard).selectinload(GradeStandard.grades),
        )
    )


@functools.cache
def _certifications_of() -> sa.Select[Any]:
    """The certificates of the product ``:product_id`` and the supplier-wide ones of
    ``:supplier_id``."""
    return sa.select(Certification).where(
        Certification.supplier_id == sa.bindparam("supplier_id"),
        sa.or_(
            Certification.product_id == sa.bindparam("product_id"),
            Certification.product_id.is_(None),
        ),
    )


@functools.cache
def _batches_of() -> sa.Select[Any]:
    """The batches of the variants ``:ids`` with their inspections, newest first. (Whether a
    batch is on sale is asked of each row, ``Batch.is_on_sale``: in SQL the status would lead
    the planner to the status index, which nearly every batch shares.)"""
    return (
        sa.select(Batch)
        .where(Batch.variant_id.in_(IDS))
        .options(selectinload(Batch.inspections))
        .order_by(Batch.certificate_issued_on.desc(), Batch.id.desc())
    )


@functools.lru_cache(maxsize=8)
def _siblings_of(day: date, limit: int) -> sa.Select[Any]:
    """Cards of the first ``limit`` other visible products of the supplier ``:supplier_id``."""
    return (
        card_select(day)
        .where(
            Product.is_visible,
            Product.supplier_id == sa.bindparam("supplier_id"),
            Product.id != sa.bindparam("product_id"),
        )
        .order_by(Product.id)
        .limit(limit)
    )


def product_page(
    session: Session, product_id: int, variant_id: int | None, day: date, related: int = 4
) -> ProductPage | None:
    """Everything the product page shows; None when the consumer may not see the product."""
    row = session.execute(_product_of(day), {"product_id": product_id}).one_or_none()
    if row is None:
        return None
    product, brand_shown = row
    variants = [v for v in product.variants if v.is_active]
    if not variants:
        return None
    selected = next((v for v in variants if v.id == variant_id), variants[0])

    # the product's own certificates, then the supplier's (by kind, the latest ending first)
    certs = sorted(
        session.scalars(
            _certifications_of(), {"supplier_id": product.supplier_id, "product_id": product.id}
        ),
        key=lambda c: (
            (0, "", 0, c.id)
            if c.product_id is not None
            else (1, str(c.kind), -c.valid_to.toordinal(), 0)
        ),
    )
    if not product.category.requires_food_licence:  # the SC licence covers processed food only
        certs = [
            c
            for c in certs
            if c.product_id is not None or c.kind != CertificationKind.FOOD_PRODUCTION_LICENCE
        ]
    valid = [c for c in certs if c.is_valid_on(day)]
    expired = [c for c in certs if c.is_expired_on(day)]
    card = ProductCard(
        id=product.id,
        name=product.name,
        supplier_id=product.supplier_id,
        category_slug=product.category.slug,
        origin=product.origin,
        storage_class=product.storage_class,
        sale_months=product.sale_months or [],
        presale_months=product.presale_months or [],
        image=product.images[0].image if product.images else None,
        brand=product.brand if brand_shown else None,
        variants=variants,
        certifications=[c for c in valid if c.product_id is not None and c.kind in BADGE_KINDS],
        month=day.month,
    )

    batches = [
        b for b in session.scalars(_batches_of(), {"ids": [v.id for v in variants]}) if b.is_on_sale
    ]
    batches.sort(key=lambda b: b.variant_id != selected.id)  # the chosen variant's first

    return ProductPage(
        product=product,
        card=card,
        selected=selected,
        standard=product.grade_standard,
        grades=card.grades,
        certifications=valid,
        expired=expired,
        batches=batches,
        related=cards_from(
            session,
            _siblings_of(day, related),
            day,
            {"supplier_id": product.supplier_id, "product_id": product.id},
        ),
    )
