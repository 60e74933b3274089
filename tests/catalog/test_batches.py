"""Batches: creation with inspections and the 合格证, closing, failed tests, access."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.models import Batch, BatchStatus, InspectionResult
from catalog.trace import batches, queries
from tests import factories
from tests.catalog.test_trace import TODAY, VILLAGE, freeze_local, make_batch, trace_world
from yipin.db import db
from yipin.errors import NotFound
from yipin.outbox.models import OutboxEntry


@pytest.fixture
def world(app: Any, reference: None) -> SimpleNamespace:
    freeze_local(TODAY)
    return trace_world()


def _payload(world: SimpleNamespace, **kw: Any) -> dict[str, Any]:
    body = {
        "variant_id": world.variant.id,
        "base_name": "长宁镇三二五村脐橙基地 3 号地块",
        "base_region_code": VILLAGE,
        "quantity": 800,
        "harvest_date": "2026-11-15",
        "inspections": [
            {
                "item": "农药残留（有机磷和氨基甲酸酯类）",
                "method": "酶抑制率法",
                "result": "pass",
                "value": "抑制率 12%",
                "inspected_on": "2026-11-16",
                "inspector": "刘建华",
            }
        ],
    }
    body.update(kw)
    return body


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.mark.both_databases
def test_create_batch_issues_a_certificate_and_a_public_code(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    db.session.commit()
    login_as(world.owner)
    response = client.api("POST", "/api/v1/batches", json=_payload(world))
    assert response.status_code == 201, response.json
    body = response.json
    code = body["code"]
    assert len(code) == batches.CODE_LENGTH and set(code) <= set(batches.CODE_ALPHABET)
    assert body["status"] == "active"
    cert = body["certificate"]
    assert cert["number"] == f"HG-20261120-{code}"
    assert cert["product_name"] == world.product.name
    assert cert["quantity"] == 800 and "净重合计 4,000 kg" in cert["quantity_text"]
    assert cert["origin"] == "江西省 赣州市 寻乌县 长宁镇 三二五村委会"
    assert cert["issued_on"] == "2026-11-20"
    assert cert["committing_party"] == world.supplier.name
    assert cert["contact_phone"] == world.supplier.contact_phone
    assert cert["basis"] == "自我检测"
    assert body["inspections"][0]["result"] == "pass"
    assert body["links"]["trace_url"].endswith(f"/t/{code}")
    assert body["units_sold"] == 0
    # a change for the search index of the product
    topics = db.session.scalars(sa.select(OutboxEntry.payload)).all()
    assert {"product_id": world.product.id} in topics

    second = client.api("POST", "/api/v1/batches", json=_payload(world)).json
    assert second["code"] != code and second["certificate"]["number"] != cert["number"]
    listed = client.get("/api/v1/batches").json
    assert [b["code"] for b in listed] == [second["code"], code]


def test_a_failed_inspection_cannot_go_on_sale(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    db.session.commit()
    login_as(world.owner)
    payload = _payload(world)
    payload["inspections"].append(
        {"item": "毒死蜱", "result": "fail", "value": "0.12 mg/kg", "inspected_on": "2026-11-16"}
    )
    response = client.api("POST", "/api/v1/batches", json=payload)
    assert response.status_code == 422
    assert response.json["error"] == "failed_inspection"
    assert "毒死蜱" in response.json["message"]
    assert _count(Batch) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_region_code": "360734"}, "base_region_code"),  # Ganzhou: township at least
        ({"base_region_code": "999999999"}, "base_region_code"),
        ({"harvest_date": "2026-12-01"}, "harvest_date"),  # in the future
        ({"harvest_date": None}, "harvest_date"),
        ({"base_name": "  "}, "base_name"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_bad_batches_are_refused_with_the_field(
    client: Any, login_as: Any, world: SimpleNamespace, change: dict[str, Any], field: str
) -> None:
    db.session.commit()
    login_as(world.owner)
    response = client.api("POST", "/api/v1/batches", json=_payload(world, **change))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert _count(Batch) == 0


def test_processed_food_needs_a_production_date(world: SimpleNamespace) -> None:
    cat = factories.category("processed-food")
    world.product.category_id = cat.id
    db.session.flush()
    db.session.expire(world.product)
    with pytest.raises(batches.InvalidBatch) as refused:
        make_batch(world)
    assert refused.value.field == "production_date"
    batch = make_batch(world, harvest_date=None, production_date=date(2026, 11, 18))
    assert batch.production_date == date(2026, 11, 18)
    assert queries.certificate_fields(batch).produced_is_harvest is False


def test_variant_of_another_supplier_is_not_found(world: SimpleNamespace) -> None:
    foreign = factories.VariantFactory()
    with pytest.raises(NotFound):
        make_batch(world, variant_id=foreign.id)


def test_close_and_failed_later_test(client: Any, login_as: Any, world: SimpleNamespace) -> None:
    batch = make_batch(world)
    other = make_batch(world)
    db.session.commit()
    login_as(world.owner)
    closed = client.api("POST", f"/api/v1/batches/{batch.id}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    again = client.api("POST", f"/api/v1/batches/{batch.id}/close")
    assert again.status_code == 409 and again.json["error"] == "batch_transition_not_allowed"
    # the closed batch stays traceable
    assert client.get(f"/t/{batch.code}").status_code == 200

    failed = client.api(
        "POST",
        f"/api/v1/batches/{other.id}/inspections",
        json={"item": "二氧化硫", "result": "fail", "value": "超标", "inspected_on": "2026-11-19"},
    )
    assert failed.status_code == 201
    db.session.refresh(other)
    assert other.status == BatchStatus.DELISTED
    assert "二氧化硫" in (other.status_reason or "") and other.delisted_at is not None
    assert "data-recall" in client.get(f"/t/{other.code}").get_data(as_text=True)


def test_portal_creates_a_batch_with_inspection_rows(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    db.session.commit()
    login_as(world.owner)
    form = client.get("/supplier/trace/batches/new")
    assert form.status_code == 200 and world.product.name in form.get_data(as_text=True)
    data = {
        "variant_id": str(world.variant.id),
        "base_name": "镇岗乡 3 号果园",
        "base_region_code": VILLAGE,
        "quantity": "300",
        "harvest_date": "2026-11-14",
        "basis": "entrusted_test",
        "inspections-0-item": "农药残留",
        "inspections-0-method": "GB 23200.113",
        "inspections-0-result": "pass",
        "inspections-0-value": "未检出",
        "inspections-0-inspected_on": "2026-11-15",
        "inspections-0-inspector": "赣州检测中心",
        "inspections-1-item": "",
        "inspections-1-result": "pass",
        "inspections-2-item": "可溶性固形物",
        "inspections-2-result": "pass",
        "inspections-2-value": "12.5",
        "inspections-2-inspected_on": "2026-11-15",
    }
    response = client.submit("/supplier/trace/batches/new", data, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    batch = db.session.scalars(sa.select(Batch)).one()
    assert batch.certificate_number in html and "可以打印" in html
    assert "委托检测" in html and "未检出" in html
    assert [i.item for i in batch.inspections] == ["农药残留", "可溶性固形物"]
    assert f"/t/{batch.code}/certificate.pdf" in html

    # a failed row: the form comes back with the message and nothing is made
    data["inspections-2-result"] = "fail"
    refused = client.submit("/supplier/trace/batches/new", data)
    assert refused.status_code == 422
    assert "检测不合格（可溶性固形物）的批次不能上市销售" in refused.get_data(as_text=True)
    assert _count(Batch) == 1

    listing = client.get("/supplier/trace/batches").get_data(as_text=True)
    assert batch.code in listing and "在售" in listing
    closed = client.submit(f"/supplier/trace/batches/{batch.id}/close", follow_redirects=True)
    assert "已结束" in closed.get_data(as_text=True)


def test_other_suppliers_consumers_and_bureau_are_refused(
    client: Any, login_as: Any, world: SimpleNamespace
) -> None:
    batch = make_batch(world)
    intruder = factories.supplier_staff(owner=True)
    foreign_variant = factories.VariantFactory(
        product=factories.ProductFactory(supplier=intruder.supplier)
    )
    buyer = factories.consumer()
    bureau = factories.bureau()
    db.session.commit()
    inspection = {"item": "x", "result": "fail", "inspected_on": "2026-11-19"}

    login_as(intruder)
    assert client.get(f"/api/v1/batches/{batch.id}").status_code == 404
    assert client.api("POST", f"/api/v1/batches/{batch.id}/close").status_code == 404
    assert (
        client.api("POST", f"/api/v1/batches/{batch.id}/inspections", json=inspection).status_code
        == 404
    )
    assert client.get(f"/supplier/trace/batches/{batch.id}").status_code == 404
    assert client.submit(f"/supplier/trace/batches/{batch.id}/close").status_code == 404
    assert client.get("/api/v1/batches").json == []
    # the intruder cannot issue a batch for someone else's variant either
    stolen = client.api("POST", "/api/v1/batches", json=_payload(world))
    assert stolen.status_code == 404
    own = client.api("POST", "/api/v1/batches", json=_payload(world, variant_id=foreign_variant.id))
    assert own.status_code == 201
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login_as(buyer)
    assert client.get(f"/api/v1/batches/{batch.id}").status_code == 403
    assert client.api("POST", "/api/v1/batches", json=_payload(world)).status_code == 403
    assert client.get("/supplier/trace/batches").status_code == 403
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})

    login_as(bureau)
    assert client.get(f"/api/v1/batches/{batch.id}").status_code == 200  # may read
    assert client.api("POST", f"/api/v1/batches/{batch.id}/close").status_code == 403
    assert client.api("POST", "/api/v1/batches", json=_payload(world)).status_code == 403
    db.session.refresh(batch)
    assert batch.status == BatchStatus.ACTIVE and batch.inspections[0].result == (
        InspectionResult.PASS
    )
