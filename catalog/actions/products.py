"""Products (SPU) and variants (SKU): create, change, and the listing review state machine.

Content changes of a listed product send it back to review; price, list price, order limit and
stock changes do not. Every transition is in ``TRANSITIONS`` and leaves a ``ListingReview`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import rules
from catalog.errors import (
    DuplicateSku,
    InvalidProduct,
    ReasonRequired,
    TransitionNotAllowed,
)
from catalog.models import (
    Category,
    Grade,
    GradeStandard,
    ListingReview,
    Product,
    ProductStatus,
    RegionalBrand,
    ReviewEvent,
    StorageClass,
    Variant,
)
from suppliers.models import Supplier
from yipin import clock, outbox
from yipin.accounts.models import User
from yipin.errors import NotFound
from yipin.i18n import _l
from yipin.regions.models import Region

PRODUCT_CHANGED = "catalog.product_changed"  # outbox topic: search index, caches


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    DELIST = "delist"
    RETURN_TO_REVIEW = "return_to_review"
    WITHDRAW = "withdraw"


S = ProductStatus
TRANSITIONS: dict[tuple[ProductStatus, Action], tuple[ProductStatus, ReviewEvent]] = {
    (S.DRAFT, Action.SUBMIT): (S.PENDING_REVIEW, ReviewEvent.SUBMITTED),
    (S.REJECTED, Action.SUBMIT): (S.PENDING_REVIEW, ReviewEvent.SUBMITTED),
    (S.DELISTED, Action.SUBMIT): (S.PENDING_REVIEW, ReviewEvent.SUBMITTED),
    (S.PENDING_REVIEW, Action.APPROVE): (S.LISTED, ReviewEvent.APPROVED),
    (S.PENDING_REVIEW, Action.REJECT): (S.REJECTED, ReviewEvent.REJECTED),
    (S.PENDING_REVIEW, Action.WITHDRAW): (S.DRAFT, ReviewEvent.REJECTED),
    (S.LISTED, Action.RETURN_TO_REVIEW): (S.PENDING_REVIEW, ReviewEvent.RETURNED_TO_REVIEW),
    (S.LISTED, Action.DELIST): (S.DELISTED, ReviewEvent.DELISTED),
    (S.PENDING_REVIEW, Action.DELIST): (S.DELISTED, ReviewEvent.DELISTED),
}
STATUS_WORDS = {
    S.DRAFT: _l("a draft"),
    S.PENDING_REVIEW: _l("waiting for review"),
    S.LISTED: _l("listed"),
    S.REJECTED: _l("rejected"),
    S.DELISTED: _l("delisted"),
}
ACTION_WORDS = {
    Action.SUBMIT: _l("submitted for review"),
    Action.APPROVE: _l("approved"),
    Action.REJECT: _l("rejected"),
    Action.DELIST: _l("delisted"),
    Action.RETURN_TO_REVIEW: _l("sent back to review"),
    Action.WITHDRAW: _l("withdrawn"),
}


@dataclass
class ProductDraft:
    """What a supplier enters for a product. Unset optional fields keep their value on update."""

    category_id: int
    name: str
    origin_region_code: str
    shelf_life_days: int
    storage_class: StorageClass = StorageClass.AMBIENT
    brand_id: int | None = None
    grade_standard_id: int | None = None
    subtitle: str = ""
    description: str = ""
    sale_months: list[int] = field(default_factory=list)
    presale_months: list[int] = field(default_factory=list)


@dataclass
class VariantDraft:
    sku: str
    spec: str
    net_weight_g: int
    gross_weight_g: int
    price_fen: int
    grade_id: int | None = None
    list_price_fen: int | None = None
    per_order_limit: int | None = None
    is_active: bool = True
    sort_order: int = 0


PRODUCT_CONTENT = {f.name for f in fields(ProductDraft)}
VARIANT_CONTENT = {"sku", "spec", "net_weight_g", "gross_weight_g", "grade_id"}
VARIANT_COMMERCIAL = {"price_fen", "list_price_fen", "per_order_limit", "is_active", "sort_order"}


# ----------------------------------------------------------------------------- validation


def _get(session: Session, model: Any, ident: Any, field_name: str) -> Any:
    obj = session.get(model, ident) if ident is not None else None
    if obj is None:
        raise NotFound(field=field_name)
    return obj


def _check_months(months: list[int], field_name: str) -> list[int]:
    if any(not isinstance(m, int) or m < 1 or m > 12 for m in months):
        raise InvalidProduct(_l("Months are numbers from 1 to 12."), field=field_name)
    return sorted(set(months))


def _validate_product(session: Session, supplier: Supplier, draft: ProductDraft) -> None:
    name = draft.name.strip()
    if not name or len(name) > 120:
        raise InvalidProduct(_l("Give the product a name of at most 120 characters."), field="name")
    if draft.shelf_life_days is None or draft.shelf_life_days <= 0 or draft.shelf_life_days > 3650:
        raise InvalidProduct(_l("Shelf life is 1 to 3650 days."), field="shelf_life_days")
    draft.sale_months = _check_months(draft.sale_months, "sale_months")
    draft.presale_months = _check_months(draft.presale_months, "presale_months")
    if set(draft.sale_months) & set(draft.presale_months):
        raise InvalidProduct(
            _l("A month cannot be both on sale and pre-sale."), field="presale_months"
        )
    category: Category = _get(session, Category, draft.category_id, "category_id")
    origin: Region = _get(session, Region, draft.origin_region_code, "origin_region_code")
    if len(origin.code) < 6:
        raise InvalidProduct(
            _l("Give the origin down to the county at least."), field="origin_region_code"
        )
    if draft.grade_standard_id is not None:
        _get(session, GradeStandard, draft.grade_standard_id, "grade_standard_id")
    today = clock.today_local()
    rules.ensure_food_licence(session, supplier, category, today)
    if draft.brand_id is not None:
        brand: RegionalBrand = _get(session, RegionalBrand, draft.brand_id, "brand_id")
        rules.ensure_brand_allowed(session, supplier, brand, origin, today)


def _validate_variant(session: Session, product: Product, draft: VariantDraft) -> None:
    if not draft.sku.strip() or len(draft.sku) > 60:
        raise InvalidProduct(_l("The SKU is 1 to 60 characters."), field="sku")
    if not draft.spec.strip() or len(draft.spec) > 80:
        raise InvalidProduct(_l("Describe the specification (e.g. 5 kg 75–80 mm)."), field="spec")
    if draft.net_weight_g <= 0 or draft.gross_weight_g < draft.net_weight_g:
        raise InvalidProduct(
            _l("Weights are in grams; gross weight is at least the net weight."),
            field="gross_weight_g",
        )
    if draft.price_fen <= 0:
        raise InvalidProduct(_l("The price must be above zero."), field="price_fen")
    if draft.list_price_fen is not None and draft.list_price_fen < draft.price_fen:
        raise InvalidProduct(
            _l("The list price cannot be below the price."), field="list_price_fen"
        )
    if draft.per_order_limit is not None and draft.per_order_limit <= 0:
        raise InvalidProduct(_l("The order limit must be at least 1."), field="per_order_limit")
    standard = (
        session.get(GradeStandard, product.grade_standard_id) if product.grade_standard_id else None
    )
    grade = session.get(Grade, draft.grade_id) if draft.grade_id is not None else None
    if draft.grade_id is not None and grade is None:
        raise NotFound(field="grade_id")
    rules.ensure_grade_fits(standard, grade)


def _ensure_unique_sku(session: Session, supplier_id: int, sku: str, exclude: int | None) -> None:
    stmt = sa.select(Variant.id).where(Variant.supplier_id == supplier_id, Variant.sku == sku)
    if exclude is not None:
        stmt = stmt.where(Variant.id != exclude)
    if session.scalar(stmt) is not None:
        raise DuplicateSku(sku=sku, field="sku")


# ----------------------------------------------------------------------------- products


def create_product(session: Session, actor: User, supplier_id: int, draft: ProductDraft) -> Product:
    """A new draft product of ``supplier_id``."""
    supplier: Supplier = _get(session, Supplier, supplier_id, "supplier_id")
    _validate_product(session, supplier, draft)
    product = Product(supplier_id=supplier.id, status=ProductStatus.DRAFT)
    for key in PRODUCT_CONTENT:
        setattr(product, key, getattr(draft, key))
    product.name = draft.name.strip()
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, actor: User, product_id: int, draft: ProductDraft) -> Product:
    """Change a product's content; a listed product goes back to review if anything changed."""
    product: Product = _get(session, Product, product_id, "product_id")
    _validate_product(session, product.supplier, draft)
    draft.name = draft.name.strip()
    changed = {k for k in PRODUCT_CONTENT if getattr(product, k) != getattr(draft, k)}
    if changed and product.grade_standard_id != draft.grade_standard_id and product.variants:
        raise InvalidProduct(
            _l("Remove the variants before changing the grading standard."),
            field="grade_standard_id",
        )
    for key in changed:
        setattr(product, key, getattr(draft, key))
    if changed:
        content_changed(session, actor, product)
    session.flush()
    return product


def content_changed(session: Session, actor: User | None, product: Product) -> None:
    """Record a content change: bump the revision; a listed product returns to review."""
    product.revision += 1
    if product.status == ProductStatus.LISTED:
        transition(session, actor, product, Action.RETURN_TO_REVIEW)
    else:
        _emit_changed(session, product)


def add_variant(session: Session, actor: User, product_id: int, draft: VariantDraft) -> Variant:
    """A new variant; for a listed product that is a content change (back to review)."""
    product: Product = _get(session, Product, product_id, "product_id")
    draft.sku = draft.sku.strip()
    _validate_variant(session, product, draft)
    _ensure_unique_sku(session, product.supplier_id, draft.sku, None)
    variant = Variant(product_id=product.id, supplier_id=product.supplier_id)
    for f in fields(VariantDraft):
        setattr(variant, f.name, getattr(draft, f.name))
    session.add(variant)
    session.flush()
    content_changed(session, actor, product)
    return variant


def update_variant(session: Session, actor: User, variant_id: int, draft: VariantDraft) -> Variant:
    """Change a variant. Grade, spec, SKU or weights are content; price and limits are not."""
    variant: Variant = _get(session, Variant, variant_id, "variant_id")
    product = variant.product
    draft.sku = draft.sku.strip()
    _validate_variant(session, product, draft)
    _ensure_unique_sku(session, product.supplier_id, draft.sku, variant.id)
    changed = {
        f.name for f in fields(VariantDraft) if getattr(variant, f.name) != getattr(draft, f.name)
    }
    for key in changed:
        setattr(variant, key, getattr(draft, key))
    session.flush()
    if changed & VARIANT_CONTENT:
        content_changed(session, actor, product)
    elif changed:
        _emit_changed(session, product)
    return variant


def set_price(
    session: Session,
    actor: User,
    variant_id: int,
    price_fen: int,
    list_price_fen: int | None = None,
) -> Variant:
    """Change only the price: no new review."""
    variant: Variant = _get(session, Variant, variant_id, "variant_id")
    draft = VariantDraft(
        sku=variant.sku,
        spec=variant.spec,
        net_weight_g=variant.net_weight_g,
        gross_weight_g=variant.gross_weight_g,
        price_fen=price_fen,
        grade_id=variant.grade_id,
        list_price_fen=list_price_fen,
        per_order_limit=variant.per_order_limit,
        is_active=variant.is_active,
        sort_order=variant.sort_order,
    )
    return update_variant(session, actor, variant_id, draft)


# ----------------------------------------------------------------------------- review


def transition(
    session: Session,
    actor: User | None,
    product: Product,
    action: Action,
    reason: str | None = None,
) -> Product:
    """Apply one allowed transition of the listing state machine and record it."""
    key = (product.status, action)
    if key not in TRANSITIONS:
        raise TransitionNotAllowed(status=STATUS_WORDS[product.status], action=ACTION_WORDS[action])
    if action in (Action.REJECT, Action.DELIST) and not (reason or "").strip():
        raise ReasonRequired(field="reason")
    new_status, event = TRANSITIONS[key]
    now = clock.now()
    product.status = new_status
    product.status_reason = (reason or "").strip() or None
    if new_status == ProductStatus.PENDING_REVIEW:
        product.submitted_at = now
    if new_status == ProductStatus.LISTED:
        product.listed_at = now
    session.add(
        ListingReview(
            product_id=product.id,
            event=event,
            revision=product.revision,
            reason=product.status_reason,
            actor_id=actor.id if actor else None,
            at=now,
        )
    )
    session.flush()
    _emit_changed(session, product)
    return product


def submit_for_review(session: Session, actor: User, product_id: int) -> Product:
    """The supplier submits a product (it needs a verified supplier and an active variant)."""
    product: Product = _get(session, Product, product_id, "product_id")
    rules.ensure_can_sell(product.supplier)
    if not any(v.is_active for v in product.variants):
        raise InvalidProduct(_l("Add at least one variant before submitting."), field="variants")
    return transition(session, actor, product, Action.SUBMIT)


def approve(session: Session, actor: User, product_id: int) -> Product:
    """An operator approves: the rules are checked again on the day of approval."""
    product: Product = _get(session, Product, product_id, "product_id")
    rules.ensure_can_sell(product.supplier)
    today = clock.today_local()
    rules.ensure_food_licence(session, product.supplier, product.category, today)
    if product.brand is not None:
        rules.ensure_brand_allowed(session, product.supplier, product.brand, product.origin, today)
    return transition(session, actor, product, Action.APPROVE)


def reject(session: Session, actor: User, product_id: int, reason: str) -> Product:
    product: Product = _get(session, Product, product_id, "product_id")
    return transition(session, actor, product, Action.REJECT, reason)


def delist(session: Session, actor: User, product_id: int, reason: str) -> Product:
    product: Product = _get(session, Product, product_id, "product_id")
    return transition(session, actor, product, Action.DELIST, reason)


def _emit_changed(session: Session, product: Product) -> None:
    outbox.emit(session, PRODUCT_CHANGED, {"product_id": product.id})
