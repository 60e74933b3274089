"""Demo catalog: a realistic Ganzhou catalog on top of the demo suppliers.

For the suppliers that may sell (and the one suspended after listing), by the brands each grows
or makes (``ctx.focus``): brand authorisations, food production licences (SC) where the category
needs one, products with variants graded by the right standard, generated pictures, the listing
review trail (most listed; some pending, rejected, draft, delisted), certifications (a couple
expired), batches with inspections and their 承诺达标合格证, market-supervision samples (one
failed, its batch recalled), warehouses of every kind with stock. The orders come next, from
``orders.seed``, through the checkout's own actions.

The data passes the same rules the actions check (``catalog.rules``); it is written directly so
dates can lie in the past (listed a month ago, harvested last week).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from catalog.models import ProductStatus
from catalog.seed import batches, certificates, pictures, products, stock
from catalog.seed.common import SELLING, Reference, Stats
from suppliers.models import Supplier
from yipin import outbox
from yipin.seed.context import SeedContext


def seed(ctx: SeedContext) -> None:
    """Products, variants, batches, certificates, warehouses and stock."""
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
    certificates.authorise_brands(ctx, ref, plans)
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
    warehouses = stock.seed_warehouses(ctx, ref, plans)
    stats.warehouses = len(warehouses)
    stats.stock_rows = stock.seed_stock(ctx, plans, warehouses)
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
        f" {stats.images} images, {stats.certifications} certificates, {stats.batches} batches,"
        f" {stats.warehouses} warehouses, {stats.stock_rows} stock rows"
    )
