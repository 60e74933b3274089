"""Products (SPU), variants (SKU) and their images: create and change them.

Content changes of a listed product send it back to review (``catalog.actions.listing``);
price, list price, order limit, active flag, sort order, image order and stock changes do not.

Who may act (``catalog.actions.access``): these functions refuse another supplier's staff (as
missing), bureau and consumer accounts. ``actor=None`` is the system (seed, jobs). The web
layer applies the finer rules (e.g. only supplier staff submit).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import rules
from catalog.actions.access import ensure_may_edit, get_or_404, load_product
from catalog.actions.events import product_changed
from catalog.actions.listing import Action, transition
from catalog.errors import (
    DuplicateImage,
    DuplicateSku,
    InvalidProduct,
    TooManyImages,
)
from catalog.models import (
    Category,
    Grade,
    GradeStandard,
    Product,
    ProductImage,
    ProductStatus,
    RegionalBrand,
    StorageClass,
    Variant,
)
from suppliers.models import Supplier
from yipin import clock
from yipin.accounts.models import User
from yipin.errors import NotFound
from yipin.i18n import _l
from yipin.media import images as image_store
from yipin.media.models import ImagePurpose
from yipin.regions.models import Region

MAX_IMAGES = 12  # per product


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

    @classmethod
    def of(cls, product: Product, **changes: Any) -> ProductDraft:
        """The product's current content, with ``changes`` applied (for partial updates)."""
        values = {f.name: getattr(product, f.name) for f in fields(cls)}
        values.update(changes)
        return cls(**values)


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

    @classmethod
    def of(cls, variant: Variant, **changes: Any) -> VariantDraft:
        values = {f.name: getattr(variant, f.name) for f in fields(cls)}
        values.update(changes)
        return cls(**values)


PRODUCT_CONTENT = {f.name for f in fields(ProductDraft)}
VARIANT_CONTENT = {"sku", "spec", "net_weight_g", "gross_weight_g", "grade_id"}
VARIANT_COMMERCIAL = {"price_fen", "list_price_fen", "per_order_limit", "is_active", "sort_order"}


# ----------------------------------------------------------------------------- validation


def _check_months(months: list[int], field_name: str) -> list[int]:
    if any(isinstance(m, bool) or not isinstance(m, int) or m < 1 or m > 12 for m in months):
        raise InvalidProduct(_l("Months are numbers from 1 to 12."), field=field_name)
    return sorted(set(months))


def _validate_product(session: Session, supplier: Supplier, draft: ProductDraft) -> None:
    draft.name = (draft.name or "").strip()
    draft.subtitle = (draft.subtitle or "").strip()
    draft.description = (draft.description or "").strip()
    if not draft.name or len(draft.name) > 120:
        raise InvalidProduct(_l("Give the product a name of at most 120 characters."), field="name")
    if len(draft.subtitle) > 200:
        raise InvalidProduct(_l("The subtitle is at most 200 characters."), field="subtitle")
    if len(draft.description) > 20000:
        raise InvalidProduct(
            _l("The description is at most 20000 characters."), field="description"
        )
    if (
        draft.shelf_life_days is None
        or isinstance(draft.shelf_life_days, bool)
        or draft.shelf_life_days <= 0
        or draft.shelf_life_days > 3650
    ):
        raise InvalidProduct(_l("Shelf life is 1 to 3650 days."), field="shelf_life_days")
    try:
        draft.storage_class = StorageClass(draft.storage_class)
    except ValueError:
        raise InvalidProduct(
            _l("Choose ambient, chilled or frozen storage."), field="storage_class"
        ) from None
    draft.sale_months = _check_months(list(draft.sale_months or []), "sale_months")
    draft.presale_months = _check_months(list(draft.presale_months or []), "presale_months")
    if set(draft.sale_months) & set(draft.presale_months):
        raise InvalidProduct(
            _l("A month cannot be both on sale and pre-sale."), field="presale_months"
        )
    category: Category = get_or_404(session, Category, draft.category_id, "category_id")
    origin: Region = get_or_404(session, Region, draft.origin_region_code, "origin_region_code")
    if len(origin.code) < 6:
        raise InvalidProduct(
            _l("Give the origin down to the county at least."), field="origin_region_code"
        )
    if draft.grade_standard_id is not None:
        get_or_404(session, GradeStandard, draft.grade_standard_id, "grade_standard_id")
    today = clock.today_local()
    rules.ensure_food_licence(session, supplier, category, today)
    if draft.brand_id is not None:
        brand: RegionalBrand = get_or_404(session, RegionalBrand, draft.brand_id, "brand_id")
        rules.ensure_brand_allowed(session, supplier, brand, origin, today)


def _validate_variant(session: Session, product: Product, draft: VariantDraft) -> None:
    draft.sku = (draft.sku or "").strip()
    draft.spec = (draft.spec or "").strip()
    if not draft.sku or len(draft.sku) > 60:
        raise InvalidProduct(_l("The SKU is 1 to 60 characters."), field="sku")
    if not draft.spec or len(draft.spec) > 80:
        raise InvalidProduct(_l("Describe the specification (e.g. 5 kg 75–80 mm)."), field="spec")
    if draft.net_weight_g is None or draft.net_weight_g <= 0 or draft.net_weight_g > 1_000_000:
        raise InvalidProduct(
            _l("The net weight is 1 g to 1000 kg, in grams."), field="net_weight_g"
        )
    if draft.gross_weight_g is None or draft.gross_weight_g < draft.net_weight_g:
        raise InvalidProduct(
            _l("Weights are in grams; gross weight is at least the net weight."),
            field="gross_weight_g",
        )
    if draft.gross_weight_g > 1_000_000:
        raise InvalidProduct(_l("The gross weight is at most 1000 kg."), field="gross_weight_g")
    if draft.price_fen is None or draft.price_fen <= 0:
        raise InvalidProduct(_l("The price must be above zero."), field="price_fen")
    if draft.price_fen > 100_000_000:
        raise InvalidProduct(_l("The price is at most ¥1,000,000."), field="price_fen")
    if draft.list_price_fen is not None and draft.list_price_fen < draft.price_fen:
        raise InvalidProduct(
            _l("The list price cannot be below the price."), field="list_price_fen"
        )
    if draft.list_price_fen is not None and draft.list_price_fen > 100_000_000:
        raise InvalidProduct(_l("The price is at most ¥1,000,000."), field="list_price_fen")
    if draft.per_order_limit is not None and not 1 <= draft.per_order_limit <= 100_000:
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


def create_product(
    session: Session, actor: User | None, supplier_id: int, draft: ProductDraft
) -> Product:
    """A new draft product of ``supplier_id``."""
    ensure_may_edit(actor, supplier_id)
    supplier: Supplier = get_or_404(session, Supplier, supplier_id, "supplier_id")
    _validate_product(session, supplier, draft)
    product = Product(supplier_id=supplier.id, status=ProductStatus.DRAFT)
    for key in PRODUCT_CONTENT:
        setattr(product, key, getattr(draft, key))
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session, actor: User | None, product_id: int, draft: ProductDraft
) -> Product:
    """Change a product's content; a listed product goes back to review if anything changed."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    _validate_product(session, product.supplier, draft)
    changed = {k for k in PRODUCT_CONTENT if getattr(product, k) != getattr(draft, k)}
    if "grade_standard_id" in changed and product.variants:
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
        session.flush()
        product_changed(session, product.id)


def add_variant(
    session: Session, actor: User | None, product_id: int, draft: VariantDraft
) -> Variant:
    """A new variant; for a listed product that is a content change (back to review)."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    _validate_variant(session, product, draft)
    _ensure_unique_sku(session, product.supplier_id, draft.sku, None)
    variant = Variant(product=product, supplier_id=product.supplier_id)  # joins product.variants
    for f in fields(VariantDraft):
        setattr(variant, f.name, getattr(draft, f.name))
    session.add(variant)
    session.flush()
    content_changed(session, actor, product)
    return variant


def update_variant(
    session: Session, actor: User | None, variant_id: int, draft: VariantDraft
) -> Variant:
    """Change a variant. Grade, spec, SKU or weights are content; price and limits are not."""
    found: Variant = get_or_404(session, Variant, variant_id, "variant_id")
    ensure_may_edit(actor, found.supplier_id)
    product = load_product(session, found.product_id)
    variant: Variant = get_or_404(session, Variant, variant_id, "variant_id")
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
        product_changed(session, product.id)
    return variant


def set_price(
    session: Session,
    actor: User | None,
    variant_id: int,
    price_fen: int,
    list_price_fen: int | None = None,
) -> Variant:
    """Change only the price (and list price): no new review."""
    variant: Variant = get_or_404(session, Variant, variant_id, "variant_id")
    draft = VariantDraft.of(variant, price_fen=price_fen, list_price_fen=list_price_fen)
    return update_variant(session, actor, variant_id, draft)


# ----------------------------------------------------------------------------- images


def add_image(
    session: Session,
    actor: User | None,
    product_id: int,
    stream: IO[bytes],
    alt: str = "",
) -> ProductImage:
    """Validate and store an uploaded picture and append it to the product (content change).

    The files are written before the transaction commits; if it rolls back they are orphans
    that nothing links to (harmless). A picture identical to one already on the product is
    refused.
    """
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    alt = (alt or "").strip()
    if len(alt) > 120:
        raise InvalidProduct(_l("The image description is at most 120 characters."), field="alt")
    if len(product.images) >= MAX_IMAGES:
        raise TooManyImages(limit=MAX_IMAGES, field="image")
    image = image_store.store_upload(
        session,
        stream,
        purpose=ImagePurpose.PRODUCT,
        supplier_id=product.supplier_id,
        uploaded_by_id=actor.id if actor else None,
    )
    if any(pi.image.sha256 == image.sha256 for pi in product.images):
        image_store.remove_files(image.storage_key)
        raise DuplicateImage(field="image")
    position = max((pi.position for pi in product.images), default=-1) + 1
    link = ProductImage(product_id=product.id, image_id=image.id, position=position, alt=alt)
    session.add(link)
    session.flush()
    session.refresh(product, ["images"])
    content_changed(session, actor, product)
    return link


def _product_image(session: Session, product: Product, product_image_id: int) -> ProductImage:
    link = session.get(ProductImage, product_image_id)
    if link is None or link.product_id != product.id:
        raise NotFound(field="image_id")
    return link


def remove_image(
    session: Session, actor: User | None, product_id: int, product_image_id: int
) -> list[str]:
    """Take a picture off the product (content change). Returns the storage keys of files no
    longer used, for the caller to delete after the commit (``yipin.media.images.remove_files``)."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    link = _product_image(session, product, product_image_id)
    image = link.image
    product.images.remove(link)  # delete-orphan: the link row goes
    session.flush()
    orphan_keys: list[str] = []
    still_used = session.scalar(
        sa.select(sa.func.count())
        .select_from(ProductImage)
        .where(ProductImage.image_id == image.id)
    )
    if not still_used and image.purpose == ImagePurpose.PRODUCT:
        orphan_keys.append(image.storage_key)
        session.delete(image)
    for position, pi in enumerate(sorted(product.images, key=lambda p: p.position)):
        pi.position = position
    session.flush()
    session.refresh(product, ["images"])
    content_changed(session, actor, product)
    return orphan_keys


def set_image_alt(
    session: Session, actor: User | None, product_id: int, product_image_id: int, alt: str
) -> ProductImage:
    """Change a picture's description (shown to screen readers: content)."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    link = _product_image(session, product, product_image_id)
    alt = (alt or "").strip()
    if len(alt) > 120:
        raise InvalidProduct(_l("The image description is at most 120 characters."), field="alt")
    if alt != link.alt:
        link.alt = alt
        session.flush()
        content_changed(session, actor, product)
    return link


def reorder_images(
    session: Session, actor: User | None, product_id: int, product_image_ids: list[int]
) -> list[ProductImage]:
    """Put the product's pictures in this order (the first is the cover). Only approved
    pictures are rearranged, so this is not a content change."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    current = {pi.id: pi for pi in product.images}
    if sorted(product_image_ids) != sorted(current) or len(set(product_image_ids)) != len(
        product_image_ids
    ):
        raise InvalidProduct(_l("List each of the product's images once."), field="order")
    changed = False
    for position, pid in enumerate(product_image_ids):
        if current[pid].position != position:
            current[pid].position = position
            changed = True
    session.flush()
    session.refresh(product, ["images"])
    if changed:
        product_changed(session, product.id)
    return list(product.images)


def move_image(
    session: Session, actor: User | None, product_id: int, product_image_id: int, offset: int
) -> list[ProductImage]:
    """Move one picture ``offset`` places (−1 earlier, +1 later); see ``reorder_images``."""
    product = load_product(session, product_id)
    ensure_may_edit(actor, product.supplier_id)
    order = [pi.id for pi in sorted(product.images, key=lambda p: (p.position, p.id))]
    if product_image_id not in order:
        raise NotFound(field="image_id")
    index = order.index(product_image_id)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return reorder_images(session, actor, product_id, order)
