"""Demo products: which each supplier lists, their variants, pictures and review trail."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from catalog import rules
from catalog.models import (
    ListingReview,
    Product,
    ProductImage,
    ProductStatus,
    RegionalBrand,
    ReviewEvent,
    Variant,
)
from catalog.queries import content_snapshot
from catalog.seed import data
from catalog.seed.common import Plan, Reference, Shot, Stats
from catalog.seed.data import Template
from suppliers.models import Supplier, SupplierStatus
from suppliers.seed import short_name
from yipin import clock
from yipin.media.images import store_upload
from yipin.media.models import ImagePurpose
from yipin.seed.context import SeedContext

# ----------------------------------------------------------------------------- planning


def plan_products(ctx: SeedContext, ref: Reference, suppliers: list[Supplier]) -> list[Plan]:
    """Which products each supplier lists: 2 per brand it grows (3 for 龙头企业), plus sidelines."""
    rng = ctx.rng
    plans: list[Plan] = []
    for supplier in suppliers:
        county = supplier.region_code[:6]
        villages = ref.villages.get(county) or [supplier.region_code]
        # most produce comes from the supplier's own village, some from neighbours
        home = supplier.region_code if supplier.region_code in villages else villages[0]
        place = short_name(supplier, ref)
        chosen: list[tuple[Template, RegionalBrand | None]] = []
        for slug in ctx.focus.get(supplier.id, []):
            brand = ref.brands.get(slug)
            if brand is None:
                continue
            if brand.covers_region(supplier.region_code):
                templates, use_brand = data.BRAND_TEMPLATES.get(slug, []), brand
            else:  # e.g. tea from 龙南: no 上犹绿茶 brand, a local name instead
                templates = data.LOCAL_TEMPLATES.get(data.LOCAL_FALLBACK.get(slug, ""), [])
                use_brand = None
            if not templates:
                continue
            count = 3 if supplier.is_leading_enterprise else 2
            picked = [templates[0], *rng.sample(templates[1:], min(count - 1, len(templates) - 1))]
            chosen += [(t, use_brand) for t in picked]
        for word, kind in data.NAME_EXTRAS.items():
            if word in supplier.name:
                chosen += [(t, None) for t in data.LOCAL_TEMPLATES[kind][:2]]
        for template, brand in chosen:
            origin = home if rng.random() < 0.7 else rng.choice(villages)
            plans.append(Plan(supplier, template, brand, place, origin))
    _assign_statuses(ctx, plans)
    return plans


def _assign_statuses(ctx: SeedContext, plans: list[Plan]) -> None:
    """Most listed; a few waiting for review, rejected, drafts and one delisted (the operator's
    queue has work). Each supplier keeps at least two listed products; pre-sale ones and each
    supplier's first product stay listed."""
    rng = ctx.rng
    listed: dict[int, int] = {}
    for plan in plans:
        listed[plan.supplier.id] = listed.get(plan.supplier.id, 0) + 1
    first = {}
    for plan in plans:
        first.setdefault(plan.supplier.id, plan)
    candidates = [
        p
        for p in plans
        if p.supplier.status == SupplierStatus.VERIFIED
        and p.template.tests
        and first[p.supplier.id] is not p
    ]
    rng.shuffle(candidates)
    wanted = [
        (ProductStatus.DELISTED, 1),
        (ProductStatus.REJECTED, 3),
        (ProductStatus.DRAFT, 3),
        (ProductStatus.PENDING_REVIEW, 6),
    ]
    for status, count in wanted:
        for plan in list(candidates):
            if not count:
                break
            if listed[plan.supplier.id] <= 2:
                continue
            candidates.remove(plan)
            listed[plan.supplier.id] -= 1
            plan.status = status
            count -= 1
    # a few listed products went through a rejection first
    done = [p for p in plans if p.status == ProductStatus.LISTED and p.template.tests]
    for plan in rng.sample(done, min(3, len(done))):
        plan.history = ["rejected"]


# ----------------------------------------------------------------------------- products


def _price(fen: int, factor: float) -> int:
    """A shop price near ``fen``: 49.90 under ¥100, 128.00 above."""
    value = fen * factor / 100
    if value < 100:
        return max(1, round(value)) * 100 - 10
    return (round(value / 10) * 10 - 2) * 100


def make_product(ctx: SeedContext, ref: Reference, plan: Plan, stats: Stats) -> None:
    rng, session = ctx.rng, ctx.session
    template, supplier = plan.template, plan.supplier
    now = clock.now()
    today = clock.today_local()
    county = ref.county_short(supplier.region_code)
    village = ref.village_short(plan.origin)
    words = {"place": plan.place, "county": county, "village": village}
    category = ref.categories[template.category]
    standard = ref.standards.get(template.standard) if template.standard else None
    origin = ref.regions[plan.origin]
    if plan.brand is not None and plan.status != ProductStatus.DRAFT:
        rules.ensure_brand_allowed(session, supplier, plan.brand, origin, today)
    if supplier.status == SupplierStatus.VERIFIED and plan.status != ProductStatus.DRAFT:
        rules.ensure_food_licence(session, supplier, category, today)

    listed_days = rng.randint(4, 120)
    listed_at = now - timedelta(days=listed_days, hours=rng.randint(0, 20))
    submitted_at = listed_at - timedelta(hours=rng.randint(3, 60))
    created_at = submitted_at - timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 9))
    product = Product(
        supplier_id=supplier.id,
        category_id=category.id,
        brand_id=plan.brand.id if plan.brand else None,
        grade_standard_id=standard.id if standard else None,
        name=template.name.format(**words),
        subtitle=template.subtitle.format(**words),
        origin_region_code=plan.origin,
        storage_class=template.storage,
        shelf_life_days=template.shelf_life_days,
        sale_months=list(template.sale),
        presale_months=list(template.presale),
        description=template.description.format(**words),
        status=ProductStatus.DRAFT,
        revision=1,
        created_at=created_at,
        updated_at=listed_at,
    )
    session.add(product)
    session.flush()
    plan.product = product
    stats.products += 1

    factor = rng.uniform(0.93, 1.08)
    for index, spec in enumerate(template.variants):
        grade = ref.grades.get((template.standard, spec.grade)) if spec.grade else None
        rules.ensure_grade_fits(standard, grade)
        price = _price(spec.price, factor)
        list_price = _price(spec.list_price, factor) if spec.list_price else None
        if list_price is not None and list_price <= price:
            list_price = None
        session.add(
            Variant(
                product_id=product.id,
                supplier_id=supplier.id,
                sku=f"{template.key.upper()}-{index + 1:02d}",
                grade_id=grade.id if grade else None,
                spec=spec.spec,
                net_weight_g=spec.net_g,
                gross_weight_g=spec.gross_g,
                price_fen=price,
                list_price_fen=list_price,
                per_order_limit=spec.limit,
                sort_order=index,
                created_at=created_at,
            )
        )
        stats.variants += 1
    session.flush()
    _pictures(ctx, ref, plan, stats)
    _review_trail(ctx, ref, plan, submitted_at, listed_at)
    if plan.status == ProductStatus.LISTED:
        stats.listed += 1


def plan_pictures(ctx: SeedContext, ref: Reference, plans: list[Plan]) -> None:
    """The product picture, and for some farm products a second one of the origin."""
    for index, plan in enumerate(plans):
        template = plan.template
        county = ref.county_short(plan.supplier.region_code)
        village = ref.village_short(plan.origin)
        plan.shots.append(
            Shot(template.picture, template.title, f"{county} · {plan.place}", "", index * 10)
        )
        scene = {"fresh-fruit": "orchard", "tea": "terraces", "grain-oil": "terraces"}.get(
            template.category
        )
        if scene and ctx.rng.random() < 0.2:
            plan.shots.append(
                Shot(
                    scene,
                    f"{county}{village}",
                    template.base,
                    f"产地：{template.base}",
                    index * 10 + 1,
                )
            )


def _pictures(ctx: SeedContext, ref: Reference, plan: Plan, stats: Stats) -> None:
    assert plan.product is not None
    owner = ref.owners.get(plan.supplier.id)
    for position, shot in enumerate(plan.shots):
        assert shot.picture is not None
        image = store_upload(
            ctx.session,
            io.BytesIO(shot.picture.result()),
            purpose=ImagePurpose.PRODUCT,
            supplier_id=plan.supplier.id,
            uploaded_by_id=owner.id if owner else None,
        )
        shot.picture = None  # free the bytes
        ctx.session.add(
            ProductImage(
                product_id=plan.product.id,
                image_id=image.id,
                position=position,
                alt=(shot.alt or plan.product.name)[:120],
            )
        )
        stats.images += 1
    ctx.session.flush()


def _review_trail(
    ctx: SeedContext, ref: Reference, plan: Plan, submitted_at: datetime, listed_at: datetime
) -> None:
    """Listing review rows as the state machine would have written them."""
    assert plan.product is not None
    session, product, rng = ctx.session, plan.product, ctx.rng
    owner = ref.owners.get(plan.supplier.id)
    owner_id = owner.id if owner else None
    operator_id = ref.operator.id
    now = clock.now()
    reasons = data.REJECTION_REASONS
    events: list[tuple[ReviewEvent, int | None, datetime, str | None]] = []
    status = plan.status
    if status == ProductStatus.DRAFT:
        product.status = status
        return
    if plan.history == ["rejected"] and status == ProductStatus.LISTED:
        first = submitted_at - timedelta(days=rng.randint(2, 5))
        events += [
            (ReviewEvent.SUBMITTED, owner_id, first, None),
            (ReviewEvent.REJECTED, operator_id, first + timedelta(hours=5), rng.choice(reasons)),
        ]
        product.revision = 2
    events.append((ReviewEvent.SUBMITTED, owner_id, submitted_at, None))
    if status == ProductStatus.PENDING_REVIEW:
        submitted = now - timedelta(hours=rng.randint(2, 70))
        events[-1] = (ReviewEvent.SUBMITTED, owner_id, submitted, None)
        product.submitted_at = submitted
    elif status == ProductStatus.REJECTED:
        reason = reasons[1] if plan.template.standard == data.ORANGE_STD else rng.choice(reasons)
        events.append(
            (ReviewEvent.REJECTED, operator_id, submitted_at + timedelta(hours=6), reason)
        )
        product.submitted_at = submitted_at
    else:  # listed or delisted
        events.append((ReviewEvent.APPROVED, operator_id, listed_at, None))
        product.submitted_at, product.listed_at = submitted_at, listed_at
        if status == ProductStatus.DELISTED:
            events.append(
                (ReviewEvent.DELISTED, owner_id, now - timedelta(days=2), data.DELIST_REASON)
            )
    product.status = status
    product.status_reason = events[-1][3]
    session.flush()
    snapshot = content_snapshot(product)
    for event, actor_id, at, reason in events:
        session.add(
            ListingReview(
                product_id=product.id,
                event=event,
                revision=product.revision,
                reason=reason,
                actor_id=actor_id,
                at=at,
                snapshot=snapshot,
            )
        )
    session.flush()
