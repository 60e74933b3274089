"""Catalog rules, checked by the actions and usable by queries and pages."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.errors import (
    BrandNotAuthorised,
    FoodLicenceRequired,
    GradeNotInStandard,
    GradeNotSellable,
    GradeRequired,
    OriginOutsideBrand,
    SupplierCannotSell,
)
from catalog.models import (
    Category,
    Certification,
    CertificationKind,
    Grade,
    GradeStandard,
    RegionalBrand,
)
from suppliers.models import BrandAuthorisation, Supplier
from yipin.regions.models import Region


def ensure_can_sell(supplier: Supplier) -> None:
    if not supplier.can_sell:
        raise SupplierCannotSell()


def has_valid_authorisation(session: Session, supplier_id: int, brand_id: int, day: date) -> bool:
    return bool(session.scalar(sa.select(BrandAuthorisation.held(supplier_id, brand_id, day))))


def authorised_brand_ids(
    session: Session, supplier_ids: list[int], day: date
) -> set[tuple[int, int]]:
    """(supplier_id, brand_id) pairs holding a valid authorisation on ``day`` (for listings)."""
    if not supplier_ids:
        return set()
    rows = session.execute(
        sa.select(BrandAuthorisation.supplier_id, BrandAuthorisation.brand_id).where(
            BrandAuthorisation.supplier_id.in_(supplier_ids), BrandAuthorisation.is_valid_on(day)
        )
    )
    return {(s, b) for s, b in rows}


def ensure_brand_allowed(
    session: Session, supplier: Supplier, brand: RegionalBrand, origin: Region, day: date
) -> None:
    """A product carries a brand only while its supplier holds a valid authorisation, and only
    for produce from the brand's region."""
    if not has_valid_authorisation(session, supplier.id, brand.id, day):
        raise BrandNotAuthorised(brand=brand.name, field="brand_id")
    if not brand.covers_region(origin.code):
        region = session.get(Region, brand.region_code)
        raise OriginOutsideBrand(
            brand=brand.name,
            region=region.full_name if region else brand.region_code,
            field="origin_region_code",
        )


def has_valid_food_licence(session: Session, supplier_id: int, day: date) -> bool:
    return bool(
        session.scalar(
            sa.select(
                sa.exists().where(
                    Certification.supplier_id == supplier_id,
                    Certification.kind == CertificationKind.FOOD_PRODUCTION_LICENCE,
                    Certification.is_valid_on(day),
                )
            )
        )
    )


def ensure_food_licence(
    session: Session, supplier: Supplier, category: Category, day: date
) -> None:
    if category.requires_food_licence and not has_valid_food_licence(session, supplier.id, day):
        raise FoodLicenceRequired(category=category.name, field="category_id")


def ensure_grade_fits(standard: GradeStandard | None, grade: Grade | None) -> None:
    """A variant's grade must be one its product's standard defines, and sellable."""
    if standard is None:
        if grade is not None:
            raise GradeNotInStandard(standard="—", field="grade_id")
        return
    if grade is None:
        raise GradeRequired(standard=standard.code, field="grade_id")
    if grade.standard_id != standard.id:
        raise GradeNotInStandard(standard=standard.code, field="grade_id")
    if not grade.sellable:
        raise GradeNotSellable(grade=grade.name, field="grade_id")


def grade_fits(standard: GradeStandard | None, grade: Grade | None) -> bool:
    """``ensure_grade_fits`` as a yes/no (for the review page's checks)."""
    try:
        ensure_grade_fits(standard, grade)
    except (GradeNotInStandard, GradeRequired, GradeNotSellable):
        return False
    return True
