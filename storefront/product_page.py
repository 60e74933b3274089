"""The product page: the one visible product with its variants, grades, certificates, batches
(合格证) and related cards."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog.models import (
    BADGE_KINDS,
    Batch,
    Certification,
    CertificationKind,
    Grade,
    GradeStandard,
    Product,
    Variant,
)
from storefront.cards import IDS, ProductCard, card_select, cards_from

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
