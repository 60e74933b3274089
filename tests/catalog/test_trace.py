"""The public traceability page (the QR target of a batch) and its JSON twin.

Also holds the small builders the other trace test modules import (``trace_world``,
``make_batch``, ``freeze_local``).
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from catalog.models import InspectionResult
from catalog.trace import batches
from orders.models import OrderStatus
from tests import factories
from yipin import clock
from yipin.db import db

TODAY = date(2026, 11, 20)
VILLAGE = "360734100201"  # 江西省 赣州市 寻乌县 长宁镇 三二五村委会


def freeze_local(day: date, hour: int = 10, minute: int = 0) -> None:
    """Freeze the clock at a local (Asia/Shanghai) time."""
    clock.freeze(datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.SHANGHAI))


def trace_world(**supplier_kw: Any) -> SimpleNamespace:
    """A verified cooperative with an owner, a graded navel-orange product and one variant."""
    supplier = factories.SupplierFactory(
        name=supplier_kw.pop("name", "寻乌县晨光脐橙专业合作社"), **supplier_kw
    )
    owner = factories.supplier_staff(supplier, owner=True)
    product = factories.ProductFactory(supplier=supplier, name="赣南脐橙 寻乌果园直发")
    variant = factories.VariantFactory(product=product)
    return SimpleNamespace(supplier=supplier, owner=owner, product=product, variant=variant)


def make_batch(world: SimpleNamespace, **kw: Any) -> Any:
    """A batch made through the action (so it has a real code and 合格证)."""
    draft = batches.BatchDraft(
        variant_id=kw.pop("variant_id", world.variant.id),
        base_name=kw.pop("base_name", "长宁镇三二五村脐橙基地 3 号地块"),
        base_region_code=kw.pop("base_region_code", VILLAGE),
        quantity=kw.pop("quantity", 500),
        harvest_date=kw.pop("harvest_date", date(2026, 11, 15)),
        inspections=kw.pop(
            "inspections",
            [
                batches.InspectionDraft(
                    item="农药残留（有机磷和氨基甲酸酯类）",
                    method="酶抑制率法 GB/T 5009.199",
                    result=InspectionResult.PASS,
                    value="抑制率 12%",
                    inspected_on=date(2026, 11, 16),
                    inspector="刘建华",
                )
            ],
        ),
        **kw,
    )
    batch = batches.create_batch(db.session, world.owner, world.supplier.id, draft)
    db.session.flush()
    return batch


def order_with_status(buyer: Any, lines: list[Any], status: OrderStatus, **kw: Any) -> Any:
    """An order (and its sub-orders) in ``status`` (``paid_order`` makes paid ones)."""
    order = factories.paid_order(buyer, lines, **kw)
    order.status = status
    for sub in order.sub_orders:
        sub.status = status
    db.session.flush()
    return order


@pytest.fixture
def world(app: Any, reference: None) -> SimpleNamespace:
    freeze_local(TODAY)
    return trace_world()


def _sold_world(world: SimpleNamespace) -> SimpleNamespace:
    batch = make_batch(world)
    other_batch = make_batch(world, base_name="另一块地")
    buyer = factories.consumer(display_name="王小明", phone="13912345678")
    factories.paid_order(
        buyer, [(world.variant, 3, batch)], address_detail="建国路 88 号 3 单元 501"
    )
    factories.paid_order(buyer, [(world.variant, 2, batch), (world.variant, 7, other_batch)])
    # not sold: awaiting payment, cancelled
    order_with_status(buyer, [(world.variant, 40, batch)], OrderStatus.PENDING_PAYMENT)
    order_with_status(buyer, [(world.variant, 50, batch)], OrderStatus.CANCELLED)
    cert = factories.CertificationFactory(
        supplier=world.supplier, number="GF360734250012", valid_to=date(2027, 12, 31)
    )
    db.session.commit()
    return SimpleNamespace(batch=batch, other=other_batch, buyer=buyer, cert=cert)


@pytest.mark.both_databases
def test_page_shows_origin_supplier_certificate_tests_and_units_sold_without_buyer_data(
    client: Any, world: SimpleNamespace
) -> None:
    sold = _sold_world(world)
    page = client.get(f"/t/{sold.batch.code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # origin down to the village, base and date
    assert "江西省 赣州市 寻乌县 长宁镇 三二五村委会" in html
    assert "长宁镇三二五村脐橙基地 3 号地块" in html
    assert "2026-11-15" in html and "采收日期" in html
    # supplier: name, kind, county
    assert "寻乌县晨光脐橙专业合作社" in html
    assert "农民专业合作社" in html or "合作社" in html
    assert "江西省 赣州市 寻乌县" in html
    # the 合格证 with a link to the PDF
    assert sold.batch.certificate_number in html
    assert "承诺达标合格证" in html
    assert f"/t/{sold.batch.code}/certificate.pdf" in html
    assert "不使用禁用农药兽药、停用兽药和非法添加物" in html
    # inspections and certifications
    assert "酶抑制率法 GB/T 5009.199" in html and "合格" in html
    assert "GF360734250012" in html and "有效" in html
    # grade with its standard
    assert "特等" in html and "GB/T 21488-2008" in html
    # units sold: 3 + 2 in paid orders; the unpaid (40) and cancelled (50) do not count
    assert "data-units-sold>5<" in html
    # no buyer data anywhere
    for secret in ("王小明", "13912345678", "建国路 88 号", "110105"):
        assert secret not in html
    assert "data-recall" not in html


def test_json_twin_has_the_same_facts_and_no_buyer_data(
    client: Any, world: SimpleNamespace
) -> None:
    sold = _sold_world(world)
    response = client.get(f"/api/v1/trace/{sold.batch.code.lower()}")
    assert response.status_code == 200
    body = response.json
    assert body["code"] == sold.batch.code
    assert body["units_sold"] == 5
    assert body["origin"]["name"].endswith("三二五村委会")
    assert body["supplier"]["name"] == "寻乌县晨光脐橙专业合作社"
    assert body["certificate"]["number"] == sold.batch.certificate_number
    assert body["certificate"]["committing_party"] == "寻乌县晨光脐橙专业合作社"
    assert body["inspections"][0]["result"] == "pass"
    assert body["certifications"][0]["state"] == "valid"
    assert body["product"]["standard"] == "GB/T 21488-2008"
    assert body["links"]["certificate_pdf"].endswith(f"/t/{sold.batch.code}/certificate.pdf")
    text = response.get_data(as_text=True)
    for secret in ("王小明", "13912345678", "建国路", "110105", "recipient"):
        assert secret not in text


def test_unknown_code_is_a_friendly_404(client: Any, world: SimpleNamespace) -> None:
    page = client.get("/t/NOSUCHCODE22")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "追溯码" in html and "<html" in html
    api = client.get("/api/v1/trace/NOSUCHCODE22")
    assert api.status_code == 404 and api.json["error"] == "unknown_trace_code"
    assert client.get("/t/NOSUCHCODE22/certificate.pdf").status_code == 404
    assert client.get("/t/NOSUCHCODE22/qr.svg").status_code == 404


def test_qr_svg_points_at_the_page(client: Any, world: SimpleNamespace) -> None:
    batch = make_batch(world)
    response = client.get(f"/t/{batch.code}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data and "承诺达标合格证".encode() in response.data


def test_brand_shows_only_while_authorised(client: Any, world: SimpleNamespace) -> None:
    world.product.brand_id = factories.brand().id
    auth = factories.authorise(world.supplier)
    batch = make_batch(world)
    db.session.commit()
    assert "data-brand" in client.get(f"/t/{batch.code}").get_data(as_text=True)
    auth.revoked_at = clock.now()
    db.session.commit()
    assert "data-brand" not in client.get(f"/t/{batch.code}").get_data(as_text=True)


def test_page_query_count_is_pinned(
    client: Any, world: SimpleNamespace, count_queries: Any
) -> None:
    sold = _sold_world(world)
    for _ in range(3):  # more inspections and certificates must not add queries
        factories.CertificationFactory(supplier=world.supplier)
    db.session.commit()
    url = f"/t/{sold.batch.code}"  # read before the block: the test's own refresh is no page's
    client.get(url)  # warm up (translations, templates)
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    assert queries.count <= 5, str(queries)  # batch (variant, grade, standard, product, supplier,
    #   its county, the brand it may show joined), inspections, samples, certificates, units sold
