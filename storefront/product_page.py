"""The product page: the one visible product with its variants, grades, certificates, batches
(合格证) and related cards.

Read like the cards (``storefront.cards``): light Core statements, built once (per day where a
day is in them) with bound parameters, into plain slotted dataclasses that carry the attribute
names the template reads (``p.category.slug``, ``b.base_region.full_name`` …). No ORM graph: a
product with its supplier, regions, variants, images, certificates, seventeen batches and their
inspections made about eighty identity-mapped objects, two thirds of the page's time. Visibility
(``Product.is_visible``), the brand rule (``Product.shows_brand_on``), certificate validity
(``Certification.is_valid_on`` / ``is_expired_on``) and "on sale" (``Batch.is_on_sale``) are the
models' own SQL definitions, checked live on every request.

Statements: the product (with category, origin, supplier and its region, the brand it may show,
its grade standard), its active variants with grades, its pictures, its certificates, its
batches, the inspections of the batches shown, and one for the related cards (their variants
and badges come in their rows): seven.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from catalog.models import (
    BADGE_KINDS,
    Batch,
    BatchInspection,
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
from storefront.cards import IDS, CardImage, ProductCard, card_select, cards_from
from storefront.models import StorefrontCard as Card
from suppliers.models import Supplier, SupplierKind
from yipin.media.models import Image
from yipin.regions.models import Region

SHOWN_BATCHES = 4  # 合格证 printed on the page; the rest are counted

# ----------------------------------------------------------------------------- what it shows


@dataclass(slots=True, frozen=True)
class Place:
    """A region (``county_name`` / ``place_name`` read ``name`` and ``full_name``)."""

    code: str
    name: str
    full_name: str


@dataclass(slots=True, frozen=True)
class PageCategory:
    slug: str
    name: str
    name_en: str
    requires_food_licence: bool


@dataclass(slots=True, frozen=True)
class PageSupplier:
    id: int
    name: str
    kind: SupplierKind
    is_leading_enterprise: bool
    registered_on: date
    introduction: str
    region: Place


@dataclass(slots=True, frozen=True)
class PageBrand:
    id: int
    slug: str
    name: str
    name_en: str


@dataclass(slots=True, frozen=True)
class PageStandard:
    id: int
    code: str
    title: str
    title_en: str
    source: str


@dataclass(slots=True, frozen=True)
class PageGrade:
    id: int
    name: str
    name_en: str
    rank: int
    criteria: list[Any]


@dataclass(slots=True, frozen=True)
class PageVariant:
    id: int
    spec: str
    price_fen: int
    list_price_fen: int | None
    per_order_limit: int | None
    net_weight_g: int
    sort_order: int
    grade: PageGrade | None


@dataclass(slots=True, frozen=True)
class PagePicture:
    """One of the product's pictures, in gallery order."""

    image: CardImage  # the cards' picture: ``id`` and ``renditions``
    alt: str


@dataclass(slots=True, frozen=True)
class PageCertificate:
    id: int
    product_id: int | None
    kind: CertificationKind
    number: str
    issuer: str
    scope: str
    valid_from: date
    valid_to: date


@dataclass(slots=True, frozen=True)
class PageInspection:
    item: str
    result: str
    value: str


@dataclass(slots=True)
class PageBatch:
    """A batch on sale with its 合格证 (``inspections`` are read for the batches shown)."""

    id: int
    code: str
    variant: PageVariant
    certificate_number: str
    quantity: int
    base_region: Place
    base_name: str
    harvest_date: date | None
    production_date: date | None
    certificate_issued_on: date
    committing_party: str
    contact_phone: str
    commitments: list[Any]
    inspections: list[PageInspection] = field(default_factory=list)


@dataclass(slots=True)
class PageProduct:
    id: int
    name: str
    subtitle: str
    description: str
    storage_class: StorageClass
    shelf_life_days: int
    sale_months: list[int]
    presale_months: list[int]
    category: PageCategory
    origin: Place
    supplier: PageSupplier
    images: list[PagePicture]


@dataclass
class ProductPage:
    product: PageProduct
    card: ProductCard
    selected: PageVariant
    standard: PageStandard | None
    grades: list[PageGrade]  # the grades its variants carry, best first
    certifications: list[PageCertificate]  # product's and supplier's, valid today
    expired: list[PageCertificate]  # past their validity (shown as expired, never as valid)
    batches: list[PageBatch]  # the first SHOWN_BATCHES batches on sale (the chosen variant's first)
    batch_count: int  # batches on sale of its active variants
    newest_batch_on: date | None  # the latest 合格证 among them
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


# ----------------------------------------------------------------------------- statements


@functools.lru_cache(maxsize=8)
def _product_of(day: date) -> sa.Select[Any]:
    """The visible product ``:product_id`` with its category, origin, supplier (and its
    region), the brand it shows on ``day`` and its grade standard: one row or none."""
    origin = aliased(Region)
    seat = aliased(Region)
    return (
        sa.select(
            Product.id,
            Product.name,
            Product.subtitle,
            Product.description,
            Product.storage_class,
            Product.shelf_life_days,
            Product.sale_months,
            Product.presale_months,
            Category.slug,
            Category.name,
            Category.name_en,
            Category.requires_food_licence,
            origin.code,
            origin.name,
            origin.full_name,
            Supplier.id,
            Supplier.name,
            Supplier.kind,
            Supplier.is_leading_enterprise,
            Supplier.registered_on,
            Supplier.introduction,
            seat.code,
            seat.name,
            seat.full_name,
            RegionalBrand.id,
            RegionalBrand.slug,
            RegionalBrand.name,
            RegionalBrand.name_en,
            GradeStandard.id,
            GradeStandard.code,
            GradeStandard.title,
            GradeStandard.title_en,
            GradeStandard.source,
        )
        .join(Category, Category.id == Product.category_id)
        .join(origin, origin.code == Product.origin_region_code)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .join(seat, seat.code == Supplier.region_code)
        .outerjoin(
            RegionalBrand,
            sa.and_(RegionalBrand.id == Product.brand_id, Product.shows_brand_on(day)),
        )
        .outerjoin(GradeStandard, GradeStandard.id == Product.grade_standard_id)
        .where(Product.id == sa.bindparam("product_id"), Product.is_visible)
    )


@functools.cache
def _variants_of() -> sa.Select[Any]:
    """The active variants of ``:product_id`` with their grades, in display order."""
    return (
        sa.select(
            Variant.id,
            Variant.spec,
            Variant.price_fen,
            Variant.list_price_fen,
            Variant.per_order_limit,
            Variant.net_weight_g,
            Variant.sort_order,
            Grade.id,
            Grade.name,
            Grade.name_en,
            Grade.rank,
            Grade.criteria,
        )
        .outerjoin(Grade, Grade.id == Variant.grade_id)
        .where(Variant.product_id == sa.bindparam("product_id"), Variant.is_active.is_(True))
        .order_by(Variant.sort_order, Variant.id)
    )


@functools.cache
def _pictures_of() -> sa.Select[Any]:
    """The pictures of ``:product_id`` in gallery order."""
    return (
        sa.select(Image.id, Image.renditions, ProductImage.alt)
        .join(Image, Image.id == ProductImage.image_id)
        .where(ProductImage.product_id == sa.bindparam("product_id"))
        .order_by(ProductImage.position, ProductImage.id)
    )


@functools.lru_cache(maxsize=8)
def _certifications_of(day: date) -> sa.Select[Any]:
    """The certificates of the product ``:product_id`` and the supplier-wide ones of
    ``:supplier_id``, with whether each is valid / expired on ``day``."""
    return sa.select(
        Certification.id,
        Certification.product_id,
        Certification.kind,
        Certification.number,
        Certification.issuer,
        Certification.scope,
        Certification.valid_from,
        Certification.valid_to,
        Certification.is_valid_on(day),
        Certification.is_expired_on(day),
    ).where(
        Certification.supplier_id == sa.bindparam("supplier_id"),
        sa.or_(
            Certification.product_id == sa.bindparam("product_id"),
            Certification.product_id.is_(None),
        ),
    )


@functools.cache
def _batches_of() -> sa.Select[Any]:
    """The batches of the variants ``:ids`` with their base's region, newest first, and
    whether each is on sale. (Asked of each row, not filtered in SQL: the status would lead the
    planner to the status index, which nearly every batch shares.)"""
    return (
        sa.select(
            Batch.id,
            Batch.code,
            Batch.variant_id,
            Batch.is_on_sale,
            Batch.certificate_number,
            Batch.quantity,
            Region.code,
            Region.name,
            Region.full_name,
            Batch.base_name,
            Batch.harvest_date,
            Batch.production_date,
            Batch.certificate_issued_on,
            Batch.committing_party,
            Batch.contact_phone,
            Batch.commitments,
        )
        .join(Region, Region.code == Batch.base_region_code)
        .where(Batch.variant_id.in_(IDS))
        .order_by(Batch.certificate_issued_on.desc(), Batch.id.desc())
    )


@functools.cache
def _inspections_of() -> sa.Select[Any]:
    """The inspections of the batches ``:ids``, in the order they were made."""
    return (
        sa.select(
            BatchInspection.batch_id,
            BatchInspection.item,
            BatchInspection.result,
            BatchInspection.value,
        )
        .where(BatchInspection.batch_id.in_(IDS))
        .order_by(BatchInspection.batch_id, BatchInspection.inspected_on, BatchInspection.id)
    )


@functools.lru_cache(maxsize=8)
def _siblings_of(day: date, limit: int) -> sa.Select[Any]:
    """Cards of the first ``limit`` other visible products of the supplier ``:supplier_id``.

    Which ones come from the read model's ``visible`` (the catalog's rule, kept in the
    transaction of each change), as on the listings: the ids are a small sub-query (the
    supplier's products by its index) that the card statement joins. Asking
    ``Product.is_visible`` of every product of the supplier in the card statement itself made
    a join of eight tables whose plan PostgreSQL kept making afresh for each supplier (its
    generic plan looked dearer): 5–7 ms a page at 10,000 products, against 0.5 ms planned."""
    ids = (
        sa.select(Product.id)
        .join(Card, sa.and_(Card.product_id == Product.id, Card.visible))
        .where(
            Product.supplier_id == sa.bindparam("supplier_id"),
            Product.id != sa.bindparam("product_id"),
        )
        .order_by(Product.id)
        .limit(limit)
        .subquery()
    )
    return card_select(day).join(ids, ids.c.id == Product.id).order_by(Product.id)


# ----------------------------------------------------------------------------- the page


def _product(row: Any, images: list[PagePicture]) -> PageProduct:
    return PageProduct(
        id=row[0],
        name=row[1],
        subtitle=row[2] or "",
        description=row[3] or "",
        storage_class=row[4],
        shelf_life_days=row[5],
        sale_months=row[6] or [],
        presale_months=row[7] or [],
        category=PageCategory(row[8], row[9], row[10] or "", bool(row[11])),
        origin=Place(row[12], row[13], row[14]),
        supplier=PageSupplier(
            id=row[15],
            name=row[16],
            kind=row[17],
            is_leading_enterprise=bool(row[18]),
            registered_on=row[19],
            introduction=row[20] or "",
            region=Place(row[21], row[22], row[23]),
        ),
        images=images,
    )


def _certificates(
    session: Session, day: date, product: PageProduct
) -> tuple[list[PageCertificate], list[PageCertificate]]:
    """(valid, expired): the product's own certificates, then the supplier's (by kind, the
    latest ending first); the SC licence only where the category needs one."""
    rows = session.execute(
        _certifications_of(day), {"supplier_id": product.supplier.id, "product_id": product.id}
    ).all()
    rows.sort(
        key=lambda r: (0, "", 0, r[0]) if r[1] is not None else (1, str(r[2]), -r[7].toordinal(), 0)
    )
    licence = product.category.requires_food_licence  # the SC licence covers processed food
    valid: list[PageCertificate] = []
    expired: list[PageCertificate] = []
    for r in rows:
        if not licence and r[1] is None and r[2] == CertificationKind.FOOD_PRODUCTION_LICENCE:
            continue
        if r[8] or r[9]:
            cert = PageCertificate(r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6], r[7])
            (valid if r[8] else expired).append(cert)
    return valid, expired


def _batches(
    session: Session, variants: list[PageVariant], selected: PageVariant
) -> tuple[list[PageBatch], int, date | None]:
    """The batches shown (with their inspections), how many are on sale, the newest 合格证."""
    by_id = {v.id: v for v in variants}
    on_sale = [
        r for r in session.execute(_batches_of(), {"ids": list(by_id)}) if r[3]
    ]  # newest first
    if not on_sale:
        return [], 0, None
    newest = max(r[12] for r in on_sale)
    on_sale.sort(key=lambda r: r[2] != selected.id)  # the chosen variant's first (stable)
    shown = [
        PageBatch(
            id=r[0],
            code=r[1],
            variant=by_id[r[2]],
            certificate_number=r[4],
            quantity=r[5],
            base_region=Place(r[6], r[7], r[8]),
            base_name=r[9],
            harvest_date=r[10],
            production_date=r[11],
            certificate_issued_on=r[12],
            committing_party=r[13],
            contact_phone=r[14],
            commitments=r[15] or [],
        )
        for r in on_sale[:SHOWN_BATCHES]
    ]
    of_batch = {b.id: b.inspections for b in shown}
    for batch_id, item, result, value in session.execute(
        _inspections_of(), {"ids": list(of_batch)}
    ):
        of_batch[batch_id].append(PageInspection(item, str(result), value or ""))
    return shown, len(on_sale), newest


def product_page(
    session: Session, product_id: int, variant_id: int | None, day: date, related: int = 4
) -> ProductPage | None:
    """Everything the product page shows; None when the consumer may not see the product."""
    row = session.execute(_product_of(day), {"product_id": product_id}).one_or_none()
    if row is None:
        return None
    params = {"product_id": product_id}
    variants = [
        PageVariant(
            id=r[0],
            spec=r[1],
            price_fen=r[2],
            list_price_fen=r[3],
            per_order_limit=r[4],
            net_weight_g=r[5],
            sort_order=r[6],
            grade=PageGrade(r[7], r[8], r[9] or "", r[10], r[11] or [])
            if r[7] is not None
            else None,
        )
        for r in session.execute(_variants_of(), params)
    ]
    if not variants:
        return None
    selected = next((v for v in variants if v.id == variant_id), variants[0])
    pictures = [
        PagePicture(CardImage(image_id, renditions or {}), alt or "")
        for image_id, renditions, alt in session.execute(_pictures_of(), params)
    ]
    product = _product(row, pictures)
    standard = PageStandard(row[28], row[29], row[30], row[31] or "", row[32] or "")
    valid, expired = _certificates(session, day, product)
    card = ProductCard(
        id=product.id,
        name=product.name,
        supplier_id=product.supplier.id,
        category_slug=product.category.slug,
        origin=product.origin,  # type: ignore[arg-type]
        storage_class=product.storage_class,
        sale_months=product.sale_months,
        presale_months=product.presale_months,
        image=pictures[0].image if pictures else None,  # type: ignore[arg-type]
        brand=PageBrand(row[24], row[25], row[26], row[27] or "")  # type: ignore[arg-type]
        if row[24] is not None
        else None,
        variants=variants,
        certifications=[c for c in valid if c.product_id is not None and c.kind in BADGE_KINDS],
        month=day.month,
    )
    batches, batch_count, newest = _batches(session, variants, selected)
    return ProductPage(
        product=product,
        card=card,
        selected=selected,
        standard=standard if row[28] is not None else None,
        grades=card.grades,
        certifications=valid,
        expired=expired,
        batches=batches,
        batch_count=batch_count,
        newest_batch_on=newest,
        related=cards_from(
            session,
            _siblings_of(day, related),
            day,
            {"supplier_id": product.supplier.id, "product_id": product.id},
        ),
    )
