"""Product cards for the consumer pages: light Core queries into plain slotted dataclasses.

What a consumer may see is the catalog's rule ``Product.is_visible`` (listed, of a supplier that
may sell, with at least one active variant). A product shows its regional brand only while
``Product.shows_brand_on(day)``; a certificate shows as valid only while
``Certification.is_valid_on(day)``. These predicates are defined once, in Python and in SQL, on
the models (catalog and suppliers own them); this module only composes them, live on every
request (a delisting or a failed sample shows at once). Which products a listing shows, in
which order and with which counts comes from the read model (``storefront.listings`` over
``storefront.models.StorefrontCard``); the cards of those ids are read here.

Every page issues a fixed number of statements however many products it shows (the tests pin
the counts): cards take one (``card_select``: the products with category, origin, the brand
they may show today, their first picture, and as JSON rows their active variants with grades
and their valid badge certificates), read as rows into slotted dataclasses, not ORM objects.
(Three statements before: on PostgreSQL each is a round trip and ~0.3 ms of the client's CPU.)
Statements are built once (per day where a day is in them, with ``:ids``-style parameters)
and reused: building and keying a statement costs more than running it. See README.md (speed).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from catalog.models import (
    BADGE_KINDS,
    Category,
    Certification,
    Grade,
    Product,
    ProductImage,
    RegionalBrand,
    StorageClass,
    Variant,
)
from yipin.media.models import Image
from yipin.regions.models import Region

IDS = sa.bindparam("ids", expanding=True)  # the products a cached statement reads


# ----------------------------------------------------------------------------- predicates
# What a consumer may see is the catalog's rule: ``Product.is_visible`` (listed, of a supplier
# that may sell, with a variant on sale); a brand shows only under ``Product.shows_brand_on``;
# in season is ``Product.in_season(month)`` (on sale or pre-sale).


class JsonLength(FunctionElement[int]):
    """SQL: the number of elements of a JSON list column (``sale_months``)."""

    type = sa.Integer()
    inherit_cache = True
    name = "json_length"


@compiles(JsonLength, "postgresql")
def _json_length_postgresql(element: JsonLength, compiler: Any, **kw: Any) -> str:
    return f"jsonb_array_length({compiler.process(element.clauses, **kw)})"


@compiles(JsonLength)
def _json_length(element: JsonLength, compiler: Any, **kw: Any) -> str:
    return f"json_array_length({compiler.process(element.clauses, **kw)})"


class JsonRows(FunctionElement[Any]):
    """SQL: the rows of a sub-query as one JSON list of lists (``[[a, b], [a, b]]``), so a
    card's variants and badges come in its own row: ``json_agg(json_build_array(…))`` on
    PostgreSQL, ``json_group_array(json_array(…))`` on SQLite. No rows: NULL on PostgreSQL,
    ``[]`` on SQLite. The order of the list is not defined (sort in Python)."""

    type = sa.JSON()
    inherit_cache = True
    name = "json_rows"


@compiles(JsonRows, "postgresql")
def _json_rows_postgresql(element: JsonRows, compiler: Any, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(JsonRows)
def _json_rows(element: JsonRows, compiler: Any, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def min_price() -> Any:
    return (
        sa.select(sa.func.min(Variant.price_fen))
        .where(Variant.product_id == Product.id, Variant.is_active.is_(True))
        .correlate(Product)
        .scalar_subquery()
    )


# ----------------------------------------------------------------------------- cards
# Cards are read with light Core queries into plain slotted dataclasses (no ORM identity map,
# no relationship loading): one statement for the products with their category, origin, the
# brand they may show today, their first picture, their active variants with their grades and
# their valid badge certificates (JSON rows). Visibility is always checked live.


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
            _variants_json(),
            _badges_json(day),
        )
        .join(Category, Category.id == Product.category_id)
        .join(Region, Region.code == Product.origin_region_code)
        .outerjoin(
            RegionalBrand,
            sa.and_(RegionalBrand.id == Product.brand_id, Product.shows_brand_on(day)),
        )
        .outerjoin(Image, Image.id == _first_image_id())
    )


def _variants_json() -> Any:
    """The product's active variants with their grades, as JSON rows (``CardVariant``'s fields
    and the grade's; in no order)."""
    return (
        sa.select(
            JsonRows(
                Variant.id,
                Variant.price_fen,
                Variant.list_price_fen,
                Variant.sort_order,
                Grade.id,
                Grade.name,
                Grade.name_en,
                Grade.rank,
            )
        )
        .select_from(Variant)
        .outerjoin(Grade, Grade.id == Variant.grade_id)
        .where(Variant.product_id == Product.id, Variant.is_active.is_(True))
        .correlate(Product)
        .scalar_subquery()
    )


def _badges_json(day: date) -> Any:
    """The product's badge certificates valid on ``day``, as JSON rows (id, kind, number)."""
    return (
        sa.select(JsonRows(Certification.id, Certification.kind, Certification.number))
        .where(
            Certification.product_id == Product.id,
            Certification.kind.in_(sorted(BADGE_KINDS)),
            Certification.is_valid_on(day),
        )
        .correlate(Product)
        .scalar_subquery()
    )


@functools.lru_cache(maxsize=8)
def _visible_cards(day: date) -> sa.Select[Any]:
    """Cards of the visible products among ``:ids``."""
    return card_select(day).where(Product.id.in_(IDS), Product.is_visible)


def _variant(row: list[Any]) -> CardVariant:
    vid, price, list_price, order, gid, gname, gname_en, grank = row
    grade = CardGrade(gid, gname, gname_en or "", grank) if gid is not None else None
    return CardVariant(vid, price, list_price, order, grade)


def _by_order(v: CardVariant) -> tuple[int, int]:
    return v.sort_order, v.id


def cards_from(
    session: Session, stmt: sa.Select[Any], day: date, params: dict[str, Any] | None = None
) -> list[ProductCard]:
    """Cards of the rows of ``stmt`` (a ``card_select``), in its order: one statement, the
    variants (with grades) and badges of each product come in its row as JSON."""
    month = day.month
    cards = []
    for row in session.execute(stmt, params or {}):
        if not row[15]:  # no active variant: not visible (any more)
            continue
        variants = sorted(map(_variant, row[15]), key=_by_order)
        badges = sorted(row[16] or ())
        cards.append(
            ProductCard(
                id=row[0],
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
                variants=variants,
                certifications=[CardCertificate(kind, number) for _, kind, number in badges],
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
