"""Market-supervision sampling: a failed sample delists the batch at once and lists its orders."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from catalog.models import BatchStatus, SamplingRecord
from orders.models import OrderStatus
from tests import factories
from tests.catalog.test_trace import (
    TODAY,
    freeze_local,
    make_batch,
    order_with_status,
    trace_world,
)
from yipin.db import db
from yipin.notifications import Notification
from yipin.outbox.models import OutboxEntry


@pytest.fixture
def recall(app: Any, reference: None) -> SimpleNamespace:
    """A batch sold in three orders (one with another batch too), and an unrelated order."""
    freeze_local(TODAY)
    world = trace_world()
    batch = make_batch(world)
    other = make_batch(world, base_name="安远县镇岗乡 5 号地块")
    buyer = factories.consumer(display_name="王小明", phone="13912345678")
    second_buyer = factories.consumer(display_name="李华")
    first = factories.paid_order(buyer, [(world.variant, 3, batch)], region_code="110105")
    mixed = factories.paid_order(
        second_buyer, [(world.variant, 2, batch), (world.variant, 5, other)], region_code="360702"
    )
    delivered = order_with_status(
        buyer, [(world.variant, 1, batch)], OrderStatus.DELIVERED, region_code="440305"
    )
    unrelated = factories.paid_order(buyer, [(world.variant, 9, other)])
    unpaid = order_with_status(buyer, [(world.variant, 4, batch)], OrderStatus.PENDING_PAYMENT)
    operator = factories.operator()
    db.session.commit()
    return SimpleNamespace(
        world=world,
        batch=batch,
        other=other,
        received={first.number, mixed.number, delivered.number},
        not_received={unrelated.number, unpaid.number},
        operator=operator,
    )


FAILED = {
    "sampled_on": "2026-11-19",
    "agency": "赣州市市场监督管理局",
    "report_number": "GZ2026-0412",
    "items": "毒死蜱 0.12 mg/kg（限量 0.02 mg/kg）",
    "result": "fail",
    "notes": "流通环节抽检",
}


@pytest.mark.both_databases
def test_failed_sample_delists_at_once_and_shows_exactly_the_orders_that_received_it(
    client: Any, login_as: Any, recall: SimpleNamespace
) -> None:
    login_as(recall.operator)
    response = client.submit(
        "/console/sampling/", {**FAILED, "batch_code": recall.batch.code.lower()}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)

    # the batch is off sale at once, with the reason and time
    db.session.refresh(recall.batch)
    assert recall.batch.status == BatchStatus.DELISTED
    assert "GZ2026-0412" in recall.batch.status_reason and "毒死蜱" in recall.batch.status_reason
    assert recall.batch.delisted_at is not None
    assert db.session.get(type(recall.other), recall.other.id).status == BatchStatus.ACTIVE

    # the operator sees exactly the orders that received it
    shown = {n for n in recall.received | recall.not_received if f'data-order="{n}"' in html}
    assert shown == recall.received
    assert "北京市 朝阳区" in html and "江西省 赣州市 章贡区" in html
    assert "王小明" not in html and "13912345678" not in html  # orders, not people

    # the supplier is told, the product is re-indexed
    notes = db.session.scalars(
        sa.select(Notification).where(Notification.supplier_id == recall.world.supplier.id)
    ).all()
    assert (
        len(notes) == 1 and recall.batch.code in notes[0].title and "抽检不合格" in notes[0].title
    )
    payloads = db.session.scalars(
        sa.select(OutboxEntry.payload).where(OutboxEntry.topic == "catalog.product_changed")
    ).all()
    assert {"product_id": recall.world.product.id} in payloads

    # the public page shows the recall
    trace = client.get(f"/t/{recall.batch.code}").get_data(as_text=True)
    assert "data-recall" in trace and "该批次已召回" in trace and "GZ2026-0412" in trace

    # the recall list as a spreadsheet
    record = db.session.scalars(sa.select(SamplingRecord)).one()
    xlsx = client.get(f"/console/sampling/{record.id}/orders.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert numbers == recall.received


def test_failed_sample_through_the_api_returns_the_orders(
    client: Any, login_as: Any, recall: SimpleNamespace
) -> None:
    login_as(recall.operator)
    response = client.api(
        "POST", "/api/v1/sampling-records", json={**FAILED, "batch_code": recall.batch.code}
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["batch_delisted"] is True
    assert body["record"]["batch_status"] == "delisted"
    assert {o["number"] for o in body["orders"]} == recall.received
    quantities = {o["number"]: o["quantity"] for o in body["orders"]}
    assert sorted(quantities.values()) == [1, 2, 3]
    assert "recipient_name" not in response.get_data(as_text=True)
    assert "13912345678" not in response.get_data(as_text=True)

    # a second failed sample records, but does not delist or tell again
    again = client.api(
        "POST", "/api/v1/sampling-records", json={**FAILED, "batch_code": recall.batch.code}
    )
    assert again.status_code == 201 and again.json["batch_delisted"] is False
    assert len(again.json["orders"]) == 3
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    assert count == 1
    detail = client.get(f"/api/v1/sampling-records/{body['record']['id']}").json
    assert {o["number"] for o in detail["orders"]} == recall.received


def test_passed_sample_only_records(client: Any, login_as: Any, recall: SimpleNamespace) -> None:
    login_as(recall.operator)
    response = client.api(
        "POST",
        "/api/v1/sampling-records",
        json={**FAILED, "result": "pass", "items": "", "batch_code": recall.batch.code},
    )
    assert response.status_code == 201
    assert response.json["batch_delisted"] is False and response.json["orders"] == []
    db.session.refresh(recall.batch)
    assert recall.batch.status == BatchStatus.ACTIVE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    trace = client.get(f"/t/{recall.batch.code}").get_data(as_text=True)
    assert "data-recall" not in trace and "data-sampling" in trace


def test_bad_sample_input_changes_nothing(
    client: Any, login_as: Any, recall: SimpleNamespace
) -> None:
    login_as(recall.operator)
    unknown = client.submit("/console/sampling/", {**FAILED, "batch_code": "NOPE23456789"})
    assert unknown.status_code == 422
    assert "没有追溯码为 NOPE23456789 的批次" in unknown.get_data(as_text=True)
    future = client.api(
        "POST",
        "/api/v1/sampling-records",
        json={**FAILED, "sampled_on": "2026-12-24", "batch_code": recall.batch.code},
    )
    assert future.status_code == 422 and "sampled_on" in future.json["errors"]
    db.session.refresh(recall.batch)
    assert recall.batch.status == BatchStatus.ACTIVE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SamplingRecord)) == 0


def test_only_operators_record_or_see_samples(
    client: Any, login_as: Any, recall: SimpleNamespace
) -> None:
    login_as(recall.world.owner)
    payload = {**FAILED, "batch_code": recall.batch.code}
    assert client.get("/console/sampling/").status_code == 403
    assert client.api("POST", "/api/v1/sampling-records", json=payload).status_code == 403
    assert client.get("/api/v1/sampling-records").status_code == 403
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})
    login_as(factories_bureau())
    assert client.api("POST", "/api/v1/sampling-records", json=payload).status_code == 403
    assert client.get("/console/sampling/").status_code == 403
    db.session.refresh(recall.batch)
    assert recall.batch.status == BatchStatus.ACTIVE


def factories_bureau() -> Any:
    user = factories.bureau()
    db.session.commit()
    return user
