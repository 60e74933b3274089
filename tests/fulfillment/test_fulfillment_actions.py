"""Operators act on parcels through the API (hold, release, move, split, change carrier);
suppliers enter waybills checked against the carrier's pattern; nobody reaches another
supplier's parcels; bad input is refused without a 500."""

from __future__ import annotations

import sqlalchemy as sa

from fulfillment.routing.models import (
    CarrierService,
    FulfillmentOrder,
    RoutingDecision,
    Shipment,
    ShipmentStatus,
)
from tests import factories as f
from tests.conftest import login
from tests.fulfillment.routing_world import paid_order, parcels, route, sub_order_of
from tests.orders.world import Shop
from yipin.db import db


def _routed(shop: Shop, units: int = 2):
    second = f.WarehouseFactory(code="XW-TWO", name="寻乌晨光二号仓", supplier_id=shop.xunwu.id)
    f.StockFactory(warehouse=second, variant=shop.orange, on_hand=10)
    db.session.commit()
    order = paid_order(shop, [(shop.orange, units)])
    sub = sub_order_of(order, shop.xunwu.id)
    route(sub)
    [fo] = parcels(sub)
    return sub, fo, second


def _reserved(warehouse_id: int) -> int:
    from fulfillment.models import Stock

    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.sum(Stock.reserved)).where(Stock.warehouse_id == warehouse_id)
    )


def test_operator_holds_releases_moves_splits_and_changes_carrier(shop, client):
    sub, fo, second = _routed(shop, units=2)
    assert fo.warehouse.code == "XW-OWN"  # the fuller store wins a tie? both hold enough
    login(client, shop.operator)
    base = f"/api/v1/fulfillment-orders/{fo.id}"

    r = client.api("POST", f"{base}/hold", json={"reason": "买家要求改地址"})
    assert r.status_code == 200 and r.json["status"] == "on_hold"
    assert client.api("POST", f"{base}/hold", json={}).status_code == 409  # already held
    r = client.api("POST", f"{base}/release")
    assert r.status_code == 200 and r.json["status"] == "open"

    own = fo.warehouse_id
    r = client.api("POST", f"{base}/move", json={"warehouse_id": second.id})
    assert r.status_code == 200, r.json
    assert r.json["warehouse_code"] == "XW-TWO"
    assert _reserved(own) == 0 and _reserved(second.id) == 2
    outcomes = db.session.scalars(
        sa.select(RoutingDecision.outcome).where(RoutingDecision.sub_order_id == sub.id)
    ).all()
    assert outcomes[-1] == "moved"

    line_id = r.json["lines"][0]["id"]
    r = client.api("POST", f"{base}/split", json={"lines": [{"line_id": line_id, "quantity": 1}]})
    assert r.status_code == 201, r.json
    assert len(parcels(sub)) == 2
    assert sorted(sum(line.quantity for line in p.lines) for p in parcels(sub)) == [1, 1]

    sf = db.session.scalars(
        sa.select(CarrierService).where(CarrierService.code == "shunfeng-standard")
    ).one()
    r = client.api("POST", f"{base}/carrier", json={"service_id": sf.id})
    assert r.status_code == 200 and r.json["service_code"] == "shunfeng-standard"


def test_bad_input_is_refused_without_a_500(shop, client):
    _sub, fo, _second = _routed(shop)
    login(client, shop.operator)
    base = f"/api/v1/fulfillment-orders/{fo.id}"
    assert client.api("POST", f"{base}/move", json={"warehouse_id": "x"}).status_code == 422
    assert client.api("POST", f"{base}/move", json={"warehouse_id": 999999}).status_code == 404
    bad_split = {"lines": [{"line_id": fo.lines[0].id, "quantity": 0}]}
    assert client.api("POST", f"{base}/split", json=bad_split).status_code == 422
    everything = {"lines": [{"line_id": fo.lines[0].id, "quantity": 2}]}
    assert client.api("POST", f"{base}/split", json=everything).status_code == 409
    assert client.api("POST", f"{base}/carrier", json={"service_id": 424242}).status_code == 404
    assert client.api("POST", "/api/v1/fulfillment-orders/999999/hold", json={}).status_code == 404
    # a warehouse of another supplier is "not found"
    other = f.WarehouseFactory(code="NK-OWN", supplier_id=shop.nankang.id)
    db.session.commit()
    assert client.api("POST", f"{base}/move", json={"warehouse_id": other.id}).status_code == 404


def test_suppliers_see_only_their_parcels_and_enter_waybills_by_pattern(app, shop, client):
    from tests.fulfillment.routing_world import book

    _sub, fo, _second = _routed(shop)
    shipment = book(fo)
    assert shipment.status == ShipmentStatus.AWAITING_NUMBER
    carrier = fo.service.carrier
    login(client, shop.nankang_owner)  # another supplier
    assert client.get(f"/api/v1/fulfillment-orders/{fo.id}").status_code == 404
    assert (
        client.api(
            "POST",
            f"/api/v1/fulfillment-orders/{fo.id}/waybill",
            json={"waybill_number": "SF1234567890123"},
        ).status_code
        == 404
    )
    assert client.get(f"/supplier/fulfillment/{fo.id}").status_code == 404
    assert client.get(f"/supplier/fulfillment/{fo.id}/packing-slip.pdf").status_code == 404
    assert (
        client.api("POST", f"/api/v1/fulfillment-orders/{fo.id}/hold", json={}).status_code == 403
    )
    assert client.get("/api/v1/fulfillment-orders").json == []
    client = app.test_client()
    login(client, shop.xunwu_owner)
    r = client.api(
        "POST",
        f"/api/v1/fulfillment-orders/{fo.id}/waybill",
        json={"waybill_number": "NOT-A-NUMBER"},
    )
    assert r.status_code == 422 and r.json["error"] == "waybill_pattern"
    assert carrier.name in r.json["message"]
    from tests.fulfillment.test_sla import EXAMPLES

    r = client.api(
        "POST",
        f"/api/v1/fulfillment-orders/{fo.id}/waybill",
        json={"waybill_number": EXAMPLES[carrier.code]},
    )
    assert r.status_code == 200 and r.json["status"] == "booked"
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).waybill_number == EXAMPLES[carrier.code]
    assert [p["id"] for p in client.get("/api/v1/fulfillment-orders").json] == [fo.id]
    r = client.get(f"/supplier/fulfillment/{fo.id}/packing-slip.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert db.session.get(FulfillmentOrder, fo.id).status == "in_progress"


def test_operators_edit_the_network_and_routing_follows(shop, client, app):
    from fulfillment.routing.models import CarrierRate, RoutingRule

    login(client, shop.operator)
    rules = client.get("/api/v1/routing-rules").json
    assert [r["code"] for r in rules][:4] == ["stock", "storage", "coverage", "capacity"]
    # cost before promised days: the cheapest service wins over the fastest
    r = client.api("PUT", "/api/v1/routing-rules", json={"rules": [{"code": "cost", "rank": 5}]})
    assert r.status_code == 200 and r.json[0]["code"] == "cost"
    # 寻乌's own store can send no more parcels today: its second store sends
    second = f.WarehouseFactory(code="XW-TWO", name="寻乌晨光二号仓", supplier_id=shop.xunwu.id)
    f.StockFactory(warehouse=second, variant=shop.orange, on_hand=10)
    db.session.commit()
    r = client.api(
        "PATCH",
        f"/api/v1/warehouses/{shop.own.id}/routing",
        json={"daily_capacity": 0, "cutoff_time": "17:30", "operator_name": "晨光合作社"},
    )
    assert r.status_code == 200 and r.json["daily_capacity"] == 0
    assert (
        client.api(
            "PATCH", f"/api/v1/warehouses/{shop.own.id}/routing", json={"cutoff_time": "25:00"}
        ).status_code
        == 422
    )
    assert (
        client.api(
            "PATCH", f"/api/v1/warehouses/{shop.own.id}/routing", json={"consolidates": True}
        ).status_code
        == 422
    )  # not a platform hub
    rate = db.session.scalars(sa.select(CarrierRate).order_by(CarrierRate.id)).first()
    r = client.api("PATCH", f"/api/v1/carrier-rates/{rate.id}", json={"first_fen": 123})
    assert r.status_code == 200 and r.json["first_fen"] == 123
    assert (
        client.api("PATCH", f"/api/v1/carrier-rates/{rate.id}", json={"first_fen": -1}).status_code
        == 422
    )

    order = paid_order(shop, [(shop.orange, 1)])
    sub = sub_order_of(order, shop.xunwu.id)
    decision = route(sub)
    [fo] = parcels(sub)
    assert fo.warehouse.code == "XW-TWO"
    assert any(n["code"] == "warehouse_full" for n in decision.rejected)
    cheapest = min(
        (n for n in decision.rejected if n["code"] == "service_ranked_lower"),
        key=lambda n: n["params"]["cost_fen"],
    )
    assert fo.cost_fen <= cheapest["params"]["cost_fen"]  # cost ranked first
    assert (
        db.session.scalars(sa.select(RoutingRule.code).order_by(RoutingRule.rank)).first() == "cost"
    )

    # suppliers change none of it
    supplier = app.test_client()
    login(supplier, shop.xunwu_owner)
    assert (
        supplier.api(
            "PUT", "/api/v1/routing-rules", json={"rules": [{"code": "cost", "rank": 1}]}
        ).status_code
        == 403
    )
    assert (
        supplier.api("PATCH", f"/api/v1/carrier-rates/{rate.id}", json={"first_fen": 1}).status_code
        == 403
    )
