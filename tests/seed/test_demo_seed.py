"""``flask seed demo`` on the embedded defaults (SQLite, in-process jobs): a believable Ganzhou
platform whose catalog obeys the same rules as what suppliers enter, and whose pages render
(how long it takes is a figure for a bench, not an assertion: it swung 60–200 s with the
machine's load)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
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


@pytest.mark.timeout(900)  # minutes on a loaded machine
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

    # the parcels went through fulfillment: the operators' board has its figures
    assert_parcels_went_through_fulfillment(session, embedded_client)

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


@pytest.mark.timeout(900)
def test_demo_parcels_go_through_fulfillment_on_postgresql(app, client):
    """The same seed on PostgreSQL (Redis for jobs): the same parcels, routed, booked and
    tracked the same way."""
    lines: list[str] = []
    seed_demo_data(echo=lines.append)
    assert re.search(r"fulfillment: \d+ parcels routed", "\n".join(lines))
    assert_parcels_went_through_fulfillment(db.session, client)


def assert_parcels_went_through_fulfillment(session: Any, client: Any) -> None:
    """What an operator and a buyer notice of the demo's parcels: each shipped parcel was
    routed, has its waybill and its carrier's scans in order, consistent with its sub-order;
    the board shows the counties' 24 h figures, late parcels and exceptions."""
    from fulfillment.routing import board
    from fulfillment.routing.models import (
        ACTIVE_STATUSES,
        FulfillmentOrder,
        FulfillmentStatus,
        RoutingDecision,
        Shipment,
        ShipmentStatus,
        SlaFlag,
        SlaKind,
        TrackingEvent,
        TrackingStatus,
    )
    from fulfillment.routing.network import pattern_matches
    from yipin.seed import accounts
    from yipin.seed.context import DEMO_PASSWORD

    subs = list(session.scalars(sa.select(SubOrder).order_by(SubOrder.id)))
    fos: dict[int, list[FulfillmentOrder]] = defaultdict(list)
    for fo in session.scalars(sa.select(FulfillmentOrder).order_by(FulfillmentOrder.id)):
        fos[fo.sub_order_id].append(fo)
    shipments: dict[int, list[Shipment]] = defaultdict(list)
    for shipment in session.scalars(
        sa.select(Shipment).where(Shipment.status != ShipmentStatus.VOIDED).order_by(Shipment.id)
    ):
        shipments[shipment.sub_order_id].append(shipment)
    events: dict[int, list[TrackingEvent]] = defaultdict(list)
    for event in session.scalars(sa.select(TrackingEvent).order_by(TrackingEvent.id)):
        events[event.shipment_id].append(event)
    decisions: dict[int, list[str]] = defaultdict(list)
    for sub_id, outcome in session.execute(
        sa.select(RoutingDecision.sub_order_id, RoutingDecision.outcome).order_by(
            RoutingDecision.id
        )
    ):
        decisions[sub_id].append(outcome)

    shipped = [s for s in subs if s.shipped_at is not None]
    by_hand = [s for s in shipped if not shipments[s.id]]
    assert len(shipped) >= 300
    # a parcel without a waybill is one routing found no way for (sent by hand); few of them
    assert all(decisions[s.id][-1:] == ["unroutable"] for s in by_hand), by_hand
    assert len(by_hand) <= len(shipped) // 20
    for sub in shipped:
        for shipment in shipments[sub.id]:
            assert shipment.waybill_number
            assert pattern_matches(shipment.carrier.waybill_pattern, shipment.waybill_number)
            scans = events[shipment.id]
            assert [e.at for e in scans] == sorted(e.at for e in scans)
            assert scans[0].status == TrackingStatus.COLLECTED
            assert scans[0].at == shipment.collected_at == sub.shipped_at
            assert shipment.booked_at is not None and shipment.booked_at <= sub.shipped_at
            assert sub.routed_at is not None and sub.routed_at <= shipment.booked_at
            assert sub.paid_at is not None and sub.paid_at <= sub.routed_at
            if sub.delivered_at is not None:
                assert scans[-1].status == TrackingStatus.DELIVERED
                assert scans[-1].at == shipment.delivered_at == sub.delivered_at
            else:
                assert TrackingStatus.DELIVERED not in {e.status for e in scans}
        assert all(line.batch_id for line in sub.lines)
    # fulfillment orders agree with their sub-orders
    for sub in subs:
        mine = fos[sub.id]
        active = [fo for fo in mine if fo.status in ACTIVE_STATUSES]
        if sub.status == OrderStatus.ROUTED:
            assert active and not any(fo.status == FulfillmentStatus.SHIPPED for fo in mine)
        elif sub.status in (OrderStatus.AWAITING_ROUTING, OrderStatus.CANCELLED):
            assert not active
        if sub.shipped_at is not None and shipments[sub.id]:
            assert {fo.status for fo in mine} == {FulfillmentStatus.SHIPPED}
        if sub.status == OrderStatus.PENDING_PAYMENT:
            assert not mine
    routed = sum(1 for s in subs if fos[s.id])
    assert routed >= len(shipped) - len(by_hand)
    assert session.scalar(sa.select(sa.func.count()).select_from(Shipment)) >= 300

    # the county 24 h figures of the last 30 days: several counties, some parcels late
    counties = [c for c in board.counties(session) if c.total]
    assert len(counties) >= 3, counties
    within, total = sum(c.within for c in counties), sum(c.total for c in counties)
    assert 0.6 * total <= within < total
    assert all(c.hours is not None for c in counties)
    # late parcels were flagged while they were late (and cleared when they left)
    late = session.scalar(
        sa.select(sa.func.count())
        .select_from(SlaFlag)
        .where(SlaFlag.kind == SlaKind.NOT_OUT_OF_COUNTY)
    )
    assert late and late >= 10

    # the board as the operator sees it, in Chinese and in English
    client.get("/logout")
    login = client.submit("/login", {"login": accounts.OPERATOR_LOGIN, "password": DEMO_PASSWORD})
    assert login.status_code == 302
    page = client.get("/console/fulfillment/?lang=zh_CN").get_data(as_text=True)
    county_rows = page.split('id="counties"', 1)[1]
    assert len(re.findall(r"\d+ / \d+ \(\d+%\)", county_rows)) >= 3
    assert "履约看板" in page and "24 小时出县" in page and "已发货 (" in page
    english = client.get("/console/fulfillment/?lang=en").get_data(as_text=True)
    assert "Out within 24 h" in english and "Shipped (" in english
    client.get("/?lang=zh_CN")
