"""Demo catalog: a realistic Ganzhou catalog on top of the demo suppliers.

For the suppliers that may sell (and the one suspended after listing), by the brands each grows
or makes (``ctx.focus``, authorised by ``suppliers.seed``): food production licences (SC) where
the category needs one, products with variants graded by the right standard, generated
pictures, the listing review trail (most listed; some pending, rejected, draft, delisted),
certifications (a couple expired), batches with inspections and their 承诺达标合格证, and
market-supervision samples (one failed, its batch recalled). Warehouses and stock are seeded by
``fulfillment.seed``, paid orders by ``orders.seed`` (each domain seeds its own tables); the
bestsellers the 前置仓 stocks are named in ``ctx.extra["catalog.bestsellers"]``.

The data passes the same rules the actions check (``catalog.rules``); it is written directly so
dates can lie in the past (listed a month ago, harvested last week).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from catalog.models import ProductStatus
from catalog.seed import batches, certificates, pictures, products
from catalog.seed.common import SELLING, Reference, Stats
from suppliers.models import Supplier
from yipin import outbox
from yipin.seed.context import SeedContext

BESTSELLER_TEMPLATES = ("orange-orchard", "oil")  # stocked near customers, in the 前置仓


def seed(ctx: SeedContext) -> None:
    """Products, variants, pictures, certificates, batches and samples."""
    session = ctx.session
    suppliers = list(
        session.scalars(
            sa.select(Supplier)
            .where(Supplier.id.in_(list(ctx.focus)), Supplier.status.in_(SELLING))
            .order_by(Supplier.id)
        )
    )
    ref = Reference.load(session, [s.id for s in suppliers])
    stats = Stats()
    plans = products.plan_products(ctx, ref, suppliers)
    certificates.licence_suppliers(ctx, ref, plans, stats)
    products.plan_pictures(ctx, ref, plans)
    with ThreadPoolExecutor(max_workers=2) as painters:  # Pillow draws outside the GIL
        for plan in plans:
            for shot in plan.shots:
                shot.picture = painters.submit(
                    pictures.draw_product, shot.kind, shot.title, shot.caption, shot.seed
                )
        for plan in ctx.progress(plans, "products"):
            products.make_product(ctx, ref, plan, stats)
    certificates.certify_products(ctx, ref, plans, stats)
    lots = batches.make_batches(ctx, ref, plans, stats)
    batches.sample_batches(ctx, ref, lots)
    ctx.extra["catalog.bestsellers"] = [
        plan.product.id
        for plan in plans
        if plan.product is not None and plan.template.key in BESTSELLER_TEMPLATES
    ]
    for plan in plans:  # the search index picks up what is listed
        if plan.product is not None and plan.product.status == ProductStatus.LISTED:
            outbox.emit(
                session,
                "catalog.product_changed",
                {"product_id": plan.product.id},
                once_per_transaction=True,
            )
    session.flush()
    ctx.extra["catalog"] = stats
    ctx.echo(
        f"catalog: {stats.products} products ({stats.listed} listed), {stats.variants} variants,"
        f" {stats.images} images, {stats.certifications} certificates, {stats.batches} batches"
    )
