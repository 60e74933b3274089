"""Helpers of the routing tests: the order tests' shop plus the carrier network, paid orders
and routed parcels."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from catalog.models import Variant
from fulfillment.routing import actions, jobs
from fulfillment.routing.models import (
    Carrier,
    FulfillmentOrder,
    FulfillmentStatus,
    RoutingDecision,
    Shipment,
)
from fulfillment.routing.network import load_network
from orders.checkout import Destination
from orders.models import Order, SubOrder
from orders.payments.service import confirm_bank_transfer
from tests import factories as f
from tests.orders.world import Shop, buy
from yipin.db import commit, db
from yipin.regions.models import Region, RegionLevel


def network() -> None:
    load_network(db.session)
    db.session.flush()


def pay(shop: Shop, order: Order) -> Order:
    payment = order.payments[0]
    confirm_bank_transfer(db.session, shop.operator, payment.id, "ABC-20261120", order.total_fen)
    db.session.flush()
    return order


def paid_order(shop: Shop, items: list[tuple[Variant, int]], **kw: Any) -> Order:
    order = pay(shop, buy(shop, items, **kw))
    commit()
    return order


def sub_order_of(order: Order, supplier_id: int) -> SubOrder:
    return next(s for s in order.sub_orders if s.supplier_id == supplier_id)


def route(sub: SubOrder) -> RoutingDecision:
    decision = actions.route_sub_order(db.session, sub.id)
    assert decision is not None
    commit()
    return decision


def parcels(sub: SubOrder) -> list[FulfillmentOrder]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(FulfillmentOrder)
            .where(
                FulfillmentOrder.sub_order_id == sub.id,
                FulfillmentOrder.status != FulfillmentStatus.CANCELLED,
            )
            .order_by(FulfillmentOrder.id)
        )
    )


def book(fo: FulfillmentOrder) -> Shipment | None:
    jobs.book(fo.id)
    db.session.expire_all()
    return db.session.get(FulfillmentOrder, fo.id).shipment  # type: ignore[union-attr]


def only_carriers(*codes: str) -> None:
    for carrier in db.session.scalars(sa.select(Carrier)):
        carrier.is_active = carrier.code in codes
    db.session.flush()


def village_of_a_xiang() -> Region:
    """A Ganzhou village under a 乡 (neither a town nor a sub-district): 中国邮政 reaches it,
    顺丰 / 京东 / 通达系 do not (by the seeded coverage)."""
    township = db.session.scalars(
        sa.select(Region)
        .where(Region.level == RegionLevel.TOWNSHIP, Region.name.endswith("乡"))
        .order_by(Region.code)
    ).first()
    assert township is not None
    village = db.session.scalars(
        sa.select(Region).where(Region.parent_code == township.code).order_by(Region.code)
    ).first()
    assert village is not None
    return village


def address_in(shop: Shop, region_code: str) -> Destination:
    return Destination(
        recipient_name="钟大妈",
        phone="13970001111",
        region_code=region_code,
        detail="村委会旁 8 号",
    )


def batch_for(variant: Variant, **kw: Any) -> Any:
    return f.BatchFactory(variant=variant, **kw)


def parcel_of(sub_order_id: int, warehouse: Any) -> dict[str, Any]:
    """A fulfillment order of a sub-order with a booked waybill (for the isolation tests):
    the ids the routing routes take."""
    from catalog.models import StorageClass
    from fulfillment.routing.models import CarrierService, ShipmentStatus

    network()
    sub = db.session.get(SubOrder, sub_order_id)
    service = db.session.scalars(
        sa.select(CarrierService).where(CarrierService.code == "youzhengguonei-standard")
    ).one()
    fo = FulfillmentOrder(
        number=f"{sub.number}-F1",
        sub_order_id=sub.id,
        order_id=sub.order_id,
        supplier_id=sub.supplier_id,
        warehouse_id=warehouse.id,
        service_id=service.id,
        status=FulfillmentStatus.OPEN,
        storage_class=StorageClass.AMBIENT,
        destination_region_code="110105",
        routed_on="2026-11-20",
    )
    db.session.add(fo)
    db.session.flush()
    shipment = Shipment(
        fulfillment_order_id=fo.id,
        sub_order_id=sub.id,
        order_id=sub.order_id,
        supplier_id=sub.supplier_id,
        carrier_id=service.carrier_id,
        service_id=service.id,
        idempotency_key=f"yipin-fo-{fo.id}-1",
        waybill_number="9876543210123",
        status=ShipmentStatus.BOOKED,
        origin_region_code=warehouse.region_code,
        origin_county_code=warehouse.region_code[:6],
        destination_region_code="110105",
        subscription_salt="b-salt",
    )
    db.session.add(shipment)
    db.session.flush()
    return {
        "fo_id": fo.id,
        "shipment_id": shipment.id,
        "carrier_id": service.carrier_id,
        "verb": "waybill",
    }
