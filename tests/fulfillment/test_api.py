"""The warehouses, stock and import API: each caller reaches only what is theirs."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from catalog import importer
from fulfillment import actions
from fulfillment.models import Stock, Warehouse
from tests.conftest import login
from tests.fulfillment.world import api, csv_bytes, import_rows
from yipin.db import db


def _job(world):
    job = importer.start_import(
        db.session,
        world.staff,
        world.supplier.id,
        "a.csv",
        csv_bytes(import_rows(4)),
        enqueue=False,
    )
    db.session.commit()
    importer.run_job(job.id)
    return job.id


def test_supplier_keeps_stock_through_the_api(world, client):
    login(client, world.staff)
    body = {"variant_id": world.variant.id, "warehouse_id": world.own_wh.id, "on_hand": 80}
    response = api(client, "PUT", "/api/v1/stock", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["available"] == 80
    adjust = {**body, "delta": -5, "reason": "破损"}
    del adjust["on_hand"]
    response = api(client, "POST", "/api/v1/stock/adjustments", json=adjust)
    assert response.status_code == 201 and response.get_json()["on_hand"] == 75
    response = api(client, "POST", "/api/v1/stock/adjustments", json={**adjust, "delta": -100})
    assert response.status_code == 409
    assert response.get_json()["error"] == "insufficient_stock"
    assert "75" in response.get_json()["message"]
    response = api(client, "POST", "/api/v1/stock/adjustments", json={**adjust, "reason": ""})
    assert response.status_code == 422
    chilled = {
        "variant_id": world.chilled_variant.id,
        "warehouse_id": world.shared_wh.id,
        "on_hand": 3,
    }
    response = api(client, "PUT", "/api/v1/stock", json=chilled)
    assert response.status_code == 422 and response.get_json()["error"] == "storage_mismatch"
    listing = api(client, "GET", "/api/v1/stock").get_json()
    assert [(s["sku"], s["warehouse_code"], s["on_hand"]) for s in listing] == [
        ("XW-QC-5KG-T", "XW-ORIGIN-01", 75)
    ]
    moves = api(client, "GET", "/api/v1/stock/movements").get_json()
    assert [(m["kind"], m["delta"]) for m in moves] == [("adjust", -5), ("set", 80)]
    warehouses = api(client, "GET", "/api/v1/warehouses").get_json()
    assert {w["code"] for w in warehouses} == {"XW-ORIGIN-01", "XW-HUB"}  # not the other's
    own = next(w for w in warehouses if w["code"] == "XW-ORIGIN-01")
    assert (own["on_hand"], own["available"], own["skus"]) == (75, 75, 1)


def test_another_suppliers_staff_get_404_everywhere(world, client):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 10)
    job_id = _job(world)
    login(client, world.other_staff)
    body = {"variant_id": world.variant.id, "warehouse_id": world.own_wh.id, "on_hand": 1}
    assert api(client, "PUT", "/api/v1/stock", json=body).status_code == 404
    adj = {
        "variant_id": world.variant.id,
        "warehouse_id": world.own_wh.id,
        "delta": 1,
        "reason": "x",
    }
    assert api(client, "POST", "/api/v1/stock/adjustments", json=adj).status_code == 404
    assert api(client, "GET", f"/api/v1/warehouses/{world.own_wh.id}").status_code == 404
    patch = api(client, "PATCH", f"/api/v1/warehouses/{world.own_wh.id}", json={"name": "x"})
    assert patch.status_code == 404
    assert api(client, "GET", "/api/v1/stock").get_json() == []
    assert api(client, "GET", "/api/v1/stock/movements").get_json() == []
    assert api(client, "GET", f"/api/v1/imports/{job_id}").status_code == 404
    assert api(client, "GET", f"/api/v1/imports/{job_id}/errors.csv").status_code == 404
    assert api(client, "GET", f"/api/v1/imports/{job_id}/errors.xlsx").status_code == 404
    assert api(client, "GET", "/api/v1/imports").get_json() == []
    assert client.get(f"/supplier/imports/{job_id}").status_code == 404
    edit = client.get(f"/supplier/stock/warehouses/{world.own_wh.id}/edit")
    assert edit.status_code == 404
    # a shared warehouse may be read, not changed
    patch = api(client, "PATCH", f"/api/v1/warehouses/{world.shared_wh.id}", json={"name": "x"})
    assert patch.status_code == 403
    db.session.expire_all()
    assert db.session.get(Warehouse, world.shared_wh.id).name == "寻乌县物流配送中心"
    stock = db.session.scalars(sa.select(Stock).where(Stock.variant_id == world.variant.id))
    assert [s.on_hand for s in stock] == [10]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/warehouses", None),
        (
            "POST",
            "/api/v1/warehouses",
            {"code": "C-1", "name": "x", "kind": "origin", "region_code": "360734"},
        ),
        ("GET", "/api/v1/stock", None),
        ("PUT", "/api/v1/stock", {"variant_id": 1, "warehouse_id": 1, "on_hand": 1}),
        (
            "POST",
            "/api/v1/stock/adjustments",
            {"variant_id": 1, "warehouse_id": 1, "delta": 1, "reason": "x"},
        ),
        ("GET", "/api/v1/imports", None),
        ("GET", "/api/v1/imports/1", None),
        ("GET", "/api/v1/imports/template.xlsx", None),
    ],
)
def test_consumers_are_refused(world, client, method, url, body):
    login(client, world.consumer)
    response = api(client, method, url, token_from="/account", json=body)
    assert response.status_code == 403


def test_bureau_reads_stock_but_changes_nothing(world, client):
    actions.set_on_hand(db.session, world.staff, world.variant.id, world.own_wh.id, 10)
    job_id = _job(world)
    login(client, world.bureau)
    assert len(api(client, "GET", "/api/v1/stock").get_json()) == 5  # 1 + the import's 4
    body = {"variant_id": world.variant.id, "warehouse_id": world.own_wh.id, "on_hand": 1}
    for method, url, payload in [
        ("PUT", "/api/v1/stock", body),
        ("POST", "/api/v1/stock/adjustments", {**body, "delta": 1, "reason": "x"}),
        ("PATCH", f"/api/v1/warehouses/{world.own_wh.id}", {"is_active": False}),
        (
            "POST",
            "/api/v1/warehouses",
            {"code": "B-1", "name": "x", "kind": "origin", "region_code": "360734"},
        ),
    ]:
        response = api(client, method, url, token_from="/account", json=payload)
        assert response.status_code == 403, (method, url)
    upload = api(
        client,
        "POST",
        "/api/v1/imports",
        token_from="/account",
        data={"file": (io.BytesIO(csv_bytes(import_rows(1))), "a.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert api(client, "GET", f"/api/v1/imports/{job_id}").status_code == 403
    db.session.expire_all()
    stocks = db.session.scalars(sa.select(Stock).where(Stock.variant_id == world.variant.id))
    assert [s.on_hand for s in stocks] == [10]


def test_operator_closes_a_warehouse_through_the_api(world, client):
    login(client, world.operator)
    response = api(
        client,
        "PATCH",
        f"/api/v1/warehouses/{world.shared_wh.id}",
        token_from="/console/warehouses/",
        json={"is_active": False, "name": "寻乌县配送中心（旧）"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["is_active"] is False
    assert response.get_json()["name"] == "寻乌县配送中心（旧）"
    response = api(
        client,
        "PATCH",
        f"/api/v1/warehouses/{world.shared_wh.id}",
        token_from="/console/warehouses/",
        json={"kind": "village_station"},
    )
    assert response.status_code == 422 and response.get_json()["errors"]["region_code"]
    created = api(
        client,
        "POST",
        "/api/v1/warehouses",
        token_from="/console/warehouses/",
        json={
            "code": "xw-cs-01",
            "name": "长宁镇网点",
            "kind": "township_point",
            "region_code": "360734100",
            "supplier_id": None,
        },
    )
    assert created.status_code == 201 and created.get_json()["code"] == "XW-CS-01"
    assert created.get_json()["platform_run"] is True
