"""The routing engine on real PostgreSQL: cold goods stay cold, villages get a carrier that
reaches them, splits only when needed, earliest-expiry batches, every decision with reasons,
and a constant number of queries whatever the number of warehouses and carriers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from catalog.models import StorageClass
from fulfillment.models import WarehouseKind
from fulfillment.routing import actions
from fulfillment.routing.models import (
    Carrier,
    CarrierCoverage,
    CarrierRate,
    CarrierService,
    RoutingDecision,
    ServiceKind,
    Zone,
)
from orders.models import OrderLine, ReservationState, StockReservation
from orders.status import OrderStatus
from tests import factories as f
from tests.fulfillment.routing_world import (
    address_in,
    batch_for,
    paid_order,
    parcels,
    route,
    sub_order_of,
    village_of_a_xiang,
)
from tests.orders.conftest import count_queries
from yipin.db import commit, db


def _codes(notes, code):
    return [n for n in notes if n["code"] == code]


def test_chilled_goods_never_go_through_an_ambient_warehouse_or_service(shop):
    # a nearer, fuller ambient warehouse of the platform holds pork too: it must not be used
    ambient = f.WarehouseFactory(
        code="AMB-360703",
        name="南康常温仓",
        region_code="360703",
        kind=WarehouseKind.FORWARD,
        cold_capability=StorageClass.AMBIENT,
    )
    f.StockFactory(warehouse=ambient, variant=shop.pork, on_hand=500)
    db.session.commit()
    order = paid_order(shop, [(shop.pork, 2)])
    sub = sub_order_of(order, shop.nankang.id)

    decision = route(sub)

    assert decision.outcome == "routed"
    [fo] = parcels(sub)
    assert fo.warehouse.code == "HUB-360702"
    assert fo.warehouse.can_keep(StorageClass.CHILLED)
    assert fo.service.kind == ServiceKind.COLD_CHAIN
    assert fo.storage_class == StorageClass.CHILLED
    rejected = decision.rejected
    assert any(
        n["params"]["warehouse"] == "AMB-360703" for n in _codes(rejected, "warehouse_too_warm")
    )
    assert _codes(rejected, "service_not_cold")  # ambient services were turned down
    db.session.expire_all()
    assert db.session.get(type(sub), sub.id).status == OrderStatus.ROUTED


def test_a_village_destination_only_gets_a_carrier_that_reaches_it(shop):
    village = village_of_a_xiang()
    order = paid_order(shop, [(shop.orange, 1)], destination=address_in(shop, village.code))
    sub = sub_order_of(order, shop.xunwu.id)

    decision = route(sub)

    [fo] = parcels(sub)
    assert fo.service.carrier.code == "youzhengguonei"  # 中国邮政 reaches every village
    turned_down = {n["params"]["service"] for n in _codes(decision.rejected, "village_not_covered")}
    assert {"shunfeng-standard", "zhongtong-standard", "jd-standard"} <= turned_down
    assert any(r["code"] == "covered" for r in decision.reasons)


def test_no_carrier_reaching_the_village_leaves_the_parcel_unrouted(shop):
    village = village_of_a_xiang()
    db.session.execute(
        sa.update(Carrier).where(Carrier.code == "youzhengguonei").values(is_active=False)
    )
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 1)], destination=address_in(shop, village.code))
    sub = sub_order_of(order, shop.xunwu.id)

    decision = route(sub)

    assert decision.outcome == "unroutable"
    assert parcels(sub) == []
    db.session.expire_all()
    assert db.session.get(type(sub), sub.id).status == OrderStatus.AWAITING_ROUTING
    # an operator covers the village with 顺丰 and routes again
    sf = db.session.scalars(sa.select(Carrier).where(Carrier.code == "shunfeng")).one()
    db.session.add(
        CarrierCoverage(carrier_id=sf.id, region_code=village.code[:9], reaches_villages=True)
    )
    db.session.commit()
    again = actions.reroute(db.session, shop.operator, sub.id)
    commit()
    assert again.outcome == "routed"
    assert parcels(sub)[0].service.carrier.code == "shunfeng"


def _second_store(shop, units, code="XW-TWO"):
    store = f.WarehouseFactory(code=code, name=f"寻乌晨光{code}", supplier_id=shop.xunwu.id)
    f.StockFactory(warehouse=store, variant=shop.orange, on_hand=units)
    return store


def test_stock_split_across_two_warehouses_makes_two_parcels(shop):
    # 寻乌's own store has 100; make it 3 and a second store 3: five oranges need both
    row = shop.stock(shop.orange)[0]
    row.on_hand = 3
    _second_store(shop, 3)
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 5)])
    sub = sub_order_of(order, shop.xunwu.id)

    decision = route(sub)

    fos = parcels(sub)
    assert len(fos) == 2
    assert sorted(sum(line.quantity for line in fo.lines) for fo in fos) == [2, 3]
    assert {fo.warehouse.code for fo in fos} == {"XW-OWN", "XW-TWO"}
    assert any(r["code"] == "parcels" and r["params"]["parcels"] == 2 for r in decision.reasons)
    # the reservations follow the parcels: what each stock row holds is what it sends
    db.session.expire_all()
    held = db.session.execute(
        sa.select(StockReservation.stock_id, sa.func.sum(StockReservation.quantity))
        .join(OrderLine, OrderLine.id == StockReservation.order_line_id)
        .where(
            OrderLine.sub_order_id == sub.id, StockReservation.state == ReservationState.ALLOCATED
        )
        .group_by(StockReservation.stock_id)
    ).all()
    sent = {}
    for fo in fos:
        for line in fo.lines:
            sent[line.stock_id] = sent.get(line.stock_id, 0) + line.quantity
    assert dict(held) == sent
    assert shop.reserved(shop.orange) == 5


def test_fewer_splits_win_when_one_warehouse_can_send_everything(shop):
    row = shop.stock(shop.orange)[0]
    row.on_hand = 3
    _second_store(shop, 3)
    _second_store(shop, 20, code="XW-BIG")
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 5)])
    sub = sub_order_of(order, shop.xunwu.id)

    decision = route(sub)

    [fo] = parcels(sub)
    assert fo.warehouse.code == "XW-BIG"
    lower = _codes(decision.rejected, "plan_ranked_lower")
    assert any(n["rule"] == "fewest_splits" and n["params"]["parcels"] == 2 for n in lower)


def test_batches_leave_earliest_expiry_first(shop):
    late = batch_for(shop.orange, harvest_date=date(2026, 11, 18), quantity=50)
    early = batch_for(shop.orange, harvest_date=date(2026, 11, 12), quantity=2)
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 3)])
    sub = sub_order_of(order, shop.xunwu.id)

    route(sub)

    [fo] = parcels(sub)
    taken = sorted((line.batch_id, line.quantity) for line in fo.lines)
    assert taken == sorted([(early.id, 2), (late.id, 1)])
    db.session.expire_all()
    line = db.session.get(OrderLine, fo.lines[0].order_line_id)
    assert line.batch_id == early.id  # the order line records the first lot it ships from


def test_routing_twice_changes_nothing(shop):
    order = paid_order(shop, [(shop.orange, 1)])
    sub = sub_order_of(order, shop.xunwu.id)
    route(sub)
    assert actions.route_sub_order(db.session, sub.id) is None
    assert len(parcels(sub)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoutingDecision)) == 1


def _grow_network(shop, warehouses: int, carriers: int) -> None:
    for n in range(warehouses):
        store = f.WarehouseFactory(
            code=f"XTRA-{n}",
            supplier_id=None,
            region_code="360781",
            cold_capability=StorageClass.FROZEN,
            latitude=25.9 + n / 100,
            longitude=116.0,
        )
        f.StockFactory(warehouse=store, variant=shop.orange, on_hand=2)
        f.StockFactory(warehouse=store, variant=shop.oil, on_hand=2)
    for n in range(carriers):
        carrier = Carrier(code=f"extra{n}", name=f"测试快递{n}", waybill_pattern=r"^X\d{10}$")
        db.session.add(carrier)
        db.session.flush()
        service = CarrierService(
            carrier_id=carrier.id,
            code=f"extra{n}-standard",
            name=f"测试快递{n}标快",
            kind=ServiceKind.STANDARD,
        )
        db.session.add(service)
        db.session.add(
            CarrierCoverage(carrier_id=carrier.id, region_code="", reaches_villages=True)
        )
        db.session.flush()
        for zone in Zone:
            db.session.add(
                CarrierRate(
                    service_id=service.id,
                    zone=zone,
                    first_fen=900 + n,
                    step_fen=300,
                    promised_days=3,
                )
            )
    db.session.commit()


def _statements_to_route(shop) -> int:
    order = paid_order(shop, [(shop.orange, 1), (shop.oil, 1), (shop.pork, 1)])
    subs = [sub_order_of(order, shop.xunwu.id), sub_order_of(order, shop.nankang.id)]
    counts = []
    for sub in subs:
        db.session.expire_all()
        with count_queries() as statements:
            actions.route_sub_order(db.session, sub.id)
        counts.append(len(statements))
        commit()
    return sum(counts)


def test_routing_issues_a_constant_number_of_queries(shop):
    small = _statements_to_route(shop)
    _grow_network(shop, warehouses=12, carriers=6)
    large = _statements_to_route(shop)
    assert large == small
    assert small <= 60  # two sub-orders (27 statements each today); raise only with a reason
    # the large run did weigh the extra warehouses and carriers
    last = db.session.scalars(
        sa.select(RoutingDecision).order_by(RoutingDecision.id.desc())
    ).first()
    weighed = repr(last.rejected)
    assert "XTRA-" in weighed and "extra" in weighed


def test_a_county_centre_that_consolidates_collects_the_suppliers_parcels(shop):
    hub = f.WarehouseFactory(
        code="HUB-360734",
        name="寻乌县统仓共配中心",
        kind=WarehouseKind.COUNTY_HUB,
        region_code="360734",
        consolidates=True,
        daily_capacity=5000,
    )
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 1)])
    sub = sub_order_of(order, shop.xunwu.id)

    decision = route(sub)

    [fo] = parcels(sub)
    assert fo.warehouse.code == "XW-OWN" and fo.via_hub_id == hub.id
    [consolidated] = _codes(decision.reasons, "consolidated")
    assert consolidated["params"]["hub"] == "HUB-360734"
