"""``flask seed demo`` on the embedded defaults (SQLite, in-process jobs): a believable Ganzhou
platform whose catalog obeys the same rules as what suppliers enter, and whose pages render
(how long it takes is a figure for a bench, not an assertion: it swung 60–200 s with the
machine's load)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from catalog import rules
from catalog.models import (
    Batch,
    BatchStatus,
    Certification,
    CertificationKind,
    ListingReview,
    Product,
    ProductStatus,
    SamplingRecord,
    Variant,
)
from fulfillment.models import Stock, Warehouse, WarehouseKind
from orders.models import BuyerType, Order, OrderLine, OrderStatus, SalesLedgerEntry, SubOrder
from suppliers.models import Supplier, SupplierKind, SupplierStatus
from yipin import clock
from yipin.db import db
from yipin.seed import seed_demo_data

COUNTIES = {
    "360702", "360703", "360704", "360722", "360723", "360724", "360725", "360726", "360728",
    "360729", "360730", "360731", "360732", "360733", "360734", "360735", "360781", "360783",
}  # fmt: skip


def test_demo_seed_builds_a_realistic_catalog_that_obeys_the_rules(embedded_app, embedded_client):
    lines: list[str] = []
    seed_demo_data(echo=lines.append)
    session = db.session
    today = clock.today_local()

    # suppliers: ≥ 30 of every kind over all 18 counties; the logins are printed
    suppliers = list(session.scalars(sa.select(Supplier)))
    assert len(suppliers) >= 30
    assert {s.kind for s in suppliers} == set(SupplierKind)
    assert {s.region_code[:6] for s in suppliers} == COUNTIES
    output = "\n".join(lines)
    assert "Demo logins" in output and "13900000001" in output and "Gannan2026" in output
    assert re.search(r"catalog: \d+ products", output)

    # ≥ 150 variants; most products listed, some waiting, rejected or drafts (the queue has work)
    assert session.scalar(sa.select(sa.func.count()).select_from(Variant)) >= 150
    statuses = Counter(session.scalars(sa.select(Product.status)))
    assert statuses[ProductStatus.LISTED] >= 60
    assert statuses[ProductStatus.PENDING_REVIEW] >= 3
    assert statuses[ProductStatus.REJECTED] >= 1 and statuses[ProductStatus.DRAFT] >= 1

    listed = list(session.scalars(sa.select(Product).where(Product.status == ProductStatus.LISTED)))
    standards = Counter()
    for product in listed:
        supplier = product.supplier
        assert product.images, f"{product.name} has no picture"
        assert product.origin_region_code.startswith(supplier.region_code[:6])
        assert len(product.origin_region_code) == 12  # down to the village
        assert not set(product.sale_months) & set(product.presale_months)
        assert product.reviews and product.reviews[-1].event == "approved"
        for variant in product.variants:
            rules.ensure_grade_fits(product.grade_standard, variant.grade)  # grade ∈ its standard
        if product.grade_standard is not None:
            standards[product.grade_standard.code] += 1
        if supplier.status != SupplierStatus.VERIFIED:
            continue
        if product.brand is not None:
            rules.ensure_brand_allowed(session, supplier, product.brand, product.origin, today)
        rules.ensure_food_licence(session, supplier, product.category, today)
    assert standards["GB/T 21488-2008"] and standards["GB/T 1354-2018"]
    assert standards["GB/T 11765-2018"]
    names = {p.name for p in listed}
    assert any(n.startswith("赣南脐橙") for n in names) and any("寻乌蜜桔" in n for n in names)
    assert any("茶油" in n for n in names) and any("南安板鸭" in n for n in names)

    # certificates: SC licences, 绿色 / 有机 / 地标 / 名特优新, a couple expired
    certs = list(session.scalars(sa.select(Certification)))
    licences = [c for c in certs if c.kind == CertificationKind.FOOD_PRODUCTION_LICENCE]
    assert licences and all(re.fullmatch(r"SC\d{14}", c.number) for c in licences)
    assert {c.kind for c in certs} == set(CertificationKind)
    assert sum(1 for c in certs if c.valid_to < today) >= 2
    assert all(re.fullmatch(r"GF\d{12}", c.number) for c in certs if c.kind == "green_food")

    # batches with 合格证 and inspections for most listed variants in season; one recalled
    batches = list(session.scalars(sa.select(Batch)))
    assert len(batches) >= 100
    for batch in batches:
        assert batch.certificate_number and batch.committing_party and batch.contact_phone
        assert batch.inspections and batch.base_region_code.startswith("3607")
        assert (batch.produced_on or today) <= today
    assert session.scalar(
        sa.select(sa.func.count())
        .select_from(SamplingRecord)
        .where(SamplingRecord.result == "fail")
    )
    assert any(b.status == BatchStatus.DELISTED for b in batches)

    # stock places: 产地仓, the platform's 县级物流配送中心 in 章贡区, 村级服务站; stock per variant
    warehouses = list(session.scalars(sa.select(Warehouse)))
    kinds = Counter(w.kind for w in warehouses)
    assert kinds[WarehouseKind.ORIGIN] >= 10 and kinds[WarehouseKind.VILLAGE_STATION] >= 3
    hub = next(w for w in warehouses if w.kind == WarehouseKind.COUNTY_HUB)
    assert hub.region_code.startswith("360702") and hub.is_platform_run
    for stock in session.scalars(sa.select(Stock)):
        assert stock.warehouse.can_keep(stock.variant.product.storage_class)

    # a year of orders across China and buyer types, made by the checkout's actions; every
    # line that shipped records its batch; the ledger holds the sales
    orders = list(session.scalars(sa.select(Order)))
    assert len(orders) >= 35
    types = Counter(o.buyer_type for o in orders)
    assert types[BuyerType.STATE_OWNED] and types[BuyerType.GOVERNMENT_OR_INSTITUTION]
    assert types[BuyerType.BUDGET_UNIT] and types[BuyerType.PRIVATE_ENTERPRISE]
    assert all(o.invoice_uscc for o in orders if o.buyer_type != BuyerType.INDIVIDUAL)
    assert len({o.region_code[:2] for o in orders}) >= 5  # provinces
    placed = sorted(o.placed_at for o in orders)
    assert placed[-1] - placed[0] > timedelta(days=300)
    shipped = list(
        session.scalars(
            sa.select(OrderLine)
            .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
            .where(SubOrder.shipped_at.is_not(None))
        )
    )
    assert shipped and all(line.batch_id for line in shipped)
    statuses = Counter(o.status for o in orders)
    assert statuses[OrderStatus.COMPLETED] and statuses[OrderStatus.CANCELLED]
    sold = session.scalar(sa.select(sa.func.sum(SalesLedgerEntry.amount_fen)))
    assert sold and sold > 0
    assert all(s.on_hand >= s.reserved >= 0 for s in session.scalars(sa.select(Stock)))
    assert session.scalar(sa.select(sa.func.count()).select_from(ListingReview)) > len(listed)

    # the storefront renders it
    home = embedded_client.get("/")
    assert home.status_code == 200 and "预售" in home.get_data(as_text=True)
    assert embedded_client.get("/c/fresh-fruit?season=now").status_code == 200
    assert embedded_client.get(f"/p/{listed[0].id}").status_code == 200

    # search knows every visible product (the SQL engine's rows are part of the seed)
    from search import documents
    from search.models import SearchDocument

    visible = documents.indexable_ids(session)
    assert visible
    assert sorted(session.scalars(sa.select(SearchDocument.product_id))) == visible
    assert embedded_client.get("/search?q=qicheng").status_code == 200

    # seeding again changes nothing and prints the logins
    variants = session.scalar(sa.select(sa.func.count()).select_from(Variant))
    again: list[str] = []
    seed_demo_data(echo=again.append)
    assert "already there" in "\n".join(again)
    assert session.scalar(sa.select(sa.func.count()).select_from(Variant)) == variants
