"""Catalog reads with eager loading (no N+1): supplier product lists, the review queue, a
product's detail for review, and the content snapshot + diff the review page shows.

The page and API list queries issue a fixed number of statements whatever the page size:
one count, one page of products (supplier, category, brand and origin joined), one for the
variants (grades joined) and one for the images.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog import rules
from catalog.models import (
    Category,
    Grade,
    GradeStandard,
    ListingReview,
    Product,
    ProductImage,
    ProductStatus,
    RegionalBrand,
    ReviewEvent,
    Variant,
)
from suppliers.models import BrandAuthorisation
from yipin.media.models import Image
from yipin.pagination import Page, paginate
from yipin.regions.models import Region

PER_PAGE = 20


def list_options() -> list[Any]:
    """What a product list row shows: variants (grade joined) and images (file joined)."""
    return [selectinload(Product.variants), selectinload(Product.images)]


def product_list_stmt(
    *,
    supplier_id: int | None = None,
    status: ProductStatus | None = None,
    search: str | None = None,
    brand_id: int | None = None,
    category_id: int | None = None,
    county: str | None = None,
) -> sa.Select[Any]:
    """Products filtered as asked, the latest changed first (add ``list_options()`` to load)."""
    stmt = sa.select(Product)
    if supplier_id is not None:
        stmt = stmt.where(Product.supplier_id == supplier_id)
    if status is not None:
        stmt = stmt.where(Product.status == status)
    if brand_id is not None:
        stmt = stmt.where(Product.brand_id == brand_id)
    if category_id is not None:
        stmt = stmt.where(Product.category_id == category_id)
    if county:
        stmt = stmt.where(Product.origin_region_code.startswith(county, autoescape=True))
    if search:
        text = search.strip()  # % and _ match themselves (autoescape)
        sku_match = sa.select(Variant.product_id).where(
            Variant.sku.icontains(text, autoescape=True)
        )
        stmt = stmt.where(
            sa.or_(
                Product.name.icontains(text, autoescape=True),
                Product.subtitle.icontains(text, autoescape=True),
                Product.id.in_(sku_match),
            )
        )
    return stmt.order_by(Product.updated_at.desc(), Product.id.desc())


def supplier_products(
    session: Session,
    supplier_id: int,
    *,
    status: ProductStatus | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """The supplier portal's product list."""
    stmt = product_list_stmt(supplier_id=supplier_id, status=status, search=search)
    return paginate(session, stmt, page, per_page, list_options())


def status_counts(session: Session, supplier_id: int | None = None) -> dict[str, int]:
    """How many products are in each listing status (one grouped query)."""
    stmt = sa.select(Product.status, sa.func.count()).group_by(Product.status)
    if supplier_id is not None:
        stmt = stmt.where(Product.supplier_id == supplier_id)
    return {str(status): n for status, n in session.execute(stmt)}


def review_queue_stmt(
    *,
    brand_id: int | None = None,
    category_id: int | None = None,
    county: str | None = None,
) -> sa.Select[Any]:
    """Products waiting for review, the longest-waiting first."""
    stmt = product_list_stmt(
        status=ProductStatus.PENDING_REVIEW,
        brand_id=brand_id,
        category_id=category_id,
        county=county,
    )
    return stmt.order_by(None).order_by(Product.submitted_at.asc().nulls_last(), Product.id.asc())


def review_queue(
    session: Session,
    *,
    brand_id: int | None = None,
    category_id: int | None = None,
    county: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    stmt = review_queue_stmt(brand_id=brand_id, category_id=category_id, county=county)
    return paginate(session, stmt, page, per_page, list_options())


def product_detail(session: Session, product_id: int) -> Product | None:
    """A product with everything its edit or review page shows, in a fixed number of queries."""
    return session.scalars(
        sa.select(Product)
        .where(Product.id == product_id)
        .options(
            selectinload(Product.variants),
            selectinload(Product.images),
            selectinload(Product.reviews).joinedload(ListingReview.actor),
            selectinload(Product.certifications),
            joinedload(Product.grade_standard).selectinload(GradeStandard.grades),
        )
        .execution_options(populate_existing=True)
    ).one_or_none()


def queue_counties(session: Session) -> list[Region]:
    """Counties that have products waiting (for the queue's filter)."""
    codes = sa.select(sa.func.substr(Product.origin_region_code, 1, 6)).where(
        Product.status == ProductStatus.PENDING_REVIEW
    )
    return list(
        session.scalars(sa.select(Region).where(Region.code.in_(codes)).order_by(Region.code))
    )


# ----------------------------------------------------------------------------- reference


def categories(session: Session) -> list[Category]:
    return list(session.scalars(sa.select(Category).order_by(Category.sort_order, Category.id)))


def brands(session: Session, *, active_only: bool = True) -> list[RegionalBrand]:
    stmt = sa.select(RegionalBrand).order_by(RegionalBrand.sort_order, RegionalBrand.id)
    if active_only:
        stmt = stmt.where(RegionalBrand.is_active.is_(True))
    return list(session.scalars(stmt))


def standards(session: Session) -> list[GradeStandard]:
    return list(
        session.scalars(
            sa.select(GradeStandard)
            .options(selectinload(GradeStandard.grades))
            .order_by(GradeStandard.id)
        )
    )


def authorised_brands(session: Session, supplier_id: int, day: date) -> list[RegionalBrand]:
    """Brands the supplier holds a valid (current, unrevoked) authorisation for on ``day``."""
    valid = sa.select(BrandAuthorisation.brand_id).where(
        BrandAuthorisation.supplier_id == supplier_id, BrandAuthorisation.is_valid_on(day)
    )
    return list(
        session.scalars(
            sa.select(RegionalBrand)
            .where(RegionalBrand.id.in_(valid), RegionalBrand.is_active.is_(True))
            .order_by(RegionalBrand.sort_order, RegionalBrand.id)
        )
    )


def sellable_grades(standard: GradeStandard | None) -> list[Grade]:
    return [g for g in standard.grades if g.sellable] if standard else []


# ----------------------------------------------------------------------------- snapshot & diff

PRODUCT_FIELDS = (
    "name",
    "subtitle",
    "category_id",
    "brand_id",
    "grade_standard_id",
    "origin_region_code",
    "storage_class",
    "shelf_life_days",
    "sale_months",
    "presale_months",
    "description",
)
VARIANT_CONTENT_FIELDS = ("sku", "spec", "grade_id", "net_weight_g", "gross_weight_g")
VARIANT_COMMERCIAL_FIELDS = ("price_fen", "list_price_fen", "per_order_limit", "is_active")


def content_snapshot(product: Product) -> dict[str, Any]:
    """The reviewable content of a product, as plain JSON (stored on each review event)."""
    return {
        "revision": product.revision,
        "product": {
            key: (str(value) if key == "storage_class" else value)
            for key in PRODUCT_FIELDS
            for value in (getattr(product, key),)
        },
        "variants": {
            str(v.id): {
                key: getattr(v, key) for key in VARIANT_CONTENT_FIELDS + VARIANT_COMMERCIAL_FIELDS
            }
            for v in product.variants
        },
        "images": [{"image_id": pi.image_id, "alt": pi.alt} for pi in product.images],
    }


@dataclass
class Change:
    """One field that differs: ``field`` is the attribute name; values are raw (ids, fen…)."""

    field: str
    old: Any
    new: Any


@dataclass
class VariantChange:
    variant_id: int
    sku: str
    kind: str  # "added" | "changed" | "removed"
    content: list[Change] = field(default_factory=list)
    commercial: list[Change] = field(default_factory=list)


@dataclass
class ReviewDiff:
    """What changed since the baseline (the last approved snapshot, else the last rejected)."""

    baseline: ListingReview | None
    fields: list[Change] = field(default_factory=list)
    variants: list[VariantChange] = field(default_factory=list)
    images_added: list[int] = field(default_factory=list)  # image ids
    images_removed: list[int] = field(default_factory=list)
    images_alt_changed: list[int] = field(default_factory=list)
    images_reordered: bool = False

    @property
    def baseline_kind(self) -> str | None:
        return str(self.baseline.event) if self.baseline is not None else None

    @property
    def content_changed(self) -> bool:
        return bool(
            self.fields
            or any(v.kind != "changed" or v.content for v in self.variants)
            or self.images_added
            or self.images_removed
            or self.images_alt_changed
        )


def baseline_review(product: Product) -> ListingReview | None:
    """The review event to compare against: the last approval with a snapshot, else the last
    rejection (so a resubmission shows what the supplier fixed)."""
    reviews = [r for r in product.reviews if r.snapshot]
    for event in (ReviewEvent.APPROVED, ReviewEvent.REJECTED):
        found = [r for r in reviews if r.event == event]
        if found:
            return max(found, key=lambda r: (r.at, r.id))
    return None


def review_diff(product: Product) -> ReviewDiff:
    """Compare the product's current content with its baseline snapshot."""
    baseline = baseline_review(product)
    diff = ReviewDiff(baseline=baseline)
    if baseline is None or not baseline.snapshot:
        return diff
    old = baseline.snapshot
    now = content_snapshot(product)
    for key in PRODUCT_FIELDS:
        before, after = old["product"].get(key), now["product"].get(key)
        if before != after:
            diff.fields.append(Change(key, before, after))

    old_variants: dict[str, dict[str, Any]] = old.get("variants", {})
    for vid, after in now["variants"].items():
        before = old_variants.get(vid)
        if before is None:
            diff.variants.append(VariantChange(int(vid), after["sku"], "added"))
            continue
        change = VariantChange(int(vid), after["sku"], "changed")
        for key in VARIANT_CONTENT_FIELDS:
            if before.get(key) != after.get(key):
                change.content.append(Change(key, before.get(key), after.get(key)))
        for key in VARIANT_COMMERCIAL_FIELDS:
            if before.get(key) != after.get(key):
                change.commercial.append(Change(key, before.get(key), after.get(key)))
        if change.content or change.commercial:
            diff.variants.append(change)
    for vid, before in old_variants.items():
        if vid not in now["variants"]:
            diff.variants.append(VariantChange(int(vid), before["sku"], "removed"))

    old_images = {i["image_id"]: i for i in old.get("images", [])}
    new_images = {i["image_id"]: i for i in now["images"]}
    diff.images_added = [i for i in new_images if i not in old_images]
    diff.images_removed = [i for i in old_images if i not in new_images]
    diff.images_alt_changed = [
        i for i in new_images if i in old_images and old_images[i]["alt"] != new_images[i]["alt"]
    ]
    kept_old = [i for i in old_images if i in new_images]
    kept_new = [i for i in new_images if i in old_images]
    diff.images_reordered = kept_old != kept_new
    return diff


def describe_values(session: Session, diff: ReviewDiff) -> dict[tuple[str, Any], str]:
    """Readable names for the ids in a diff: {(field, value): text}, in one query per table."""
    lookups: list[tuple[str, Any, Any, Any]] = [
        ("category_id", Category, Category.id, lambda c: c.name),
        ("brand_id", RegionalBrand, RegionalBrand.id, lambda b: b.name),
        ("grade_standard_id", GradeStandard, GradeStandard.id, lambda s: f"{s.title} {s.code}"),
        ("grade_id", Grade, Grade.id, lambda g: g.name),
        ("origin_region_code", Region, Region.code, lambda r: r.full_name),
    ]
    keys = {key for key, *_ in lookups}
    changes = [*diff.fields, *(c for vc in diff.variants for c in vc.content)]
    wanted: dict[str, set[Any]] = {}
    for change in changes:
        if change.field in keys:
            for value in (change.old, change.new):
                if value is not None:
                    wanted.setdefault(change.field, set()).add(value)
    names: dict[tuple[str, Any], str] = {}
    for key, model, column, label in lookups:
        ids = wanted.get(key)
        if not ids:
            continue
        for obj in session.scalars(sa.select(model).where(column.in_(ids))):
            names[(key, getattr(obj, column.key))] = label(obj)
    return names


def images_by_id(session: Session, ids: list[int]) -> dict[int, Image]:
    """Image rows for a diff's added / removed image ids (removed ones may be gone)."""
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(sa.select(Image).where(Image.id.in_(ids)))}


def product_images_by_image(product: Product) -> dict[int, ProductImage]:
    return {pi.image_id: pi for pi in product.images}


# ----------------------------------------------------------------------------- review checks


@dataclass
class Check:
    """One rule the approval re-checks, as the review page shows it."""

    key: str
    ok: bool
    advisory: bool = False  # shown, but does not block the approval
    params: dict[str, Any] = field(default_factory=dict)


def listing_checks(session: Session, product: Product, day: date) -> list[Check]:
    """The rules ``approve`` applies on ``day``, evaluated for display (no exception)."""
    checks = [Check("supplier_verified", product.supplier.can_sell)]
    if product.brand is not None:
        checks.append(
            Check(
                "brand_authorised",
                rules.has_valid_authorisation(session, product.supplier_id, product.brand_id, day),
                params={"brand": product.brand.name},
            )
        )
        checks.append(
            Check(
                "origin_in_brand_region",
                product.brand.covers_region(product.origin_region_code),
                params={"brand": product.brand.name},
            )
        )
    if product.category.requires_food_licence:
        checks.append(
            Check(
                "food_licence",
                rules.has_valid_food_licence(session, product.supplier_id, day),
                params={"category": product.category.name},
            )
        )
    active = [v for v in product.variants if v.is_active]
    checks.append(Check("has_active_variant", bool(active)))
    grades_ok = all(rules.grade_fits(product.grade_standard, v.grade) for v in active)
    checks.append(Check("grades_fit", grades_ok))
    checks.append(Check("has_pictures", bool(product.images), advisory=True))
    return checks
