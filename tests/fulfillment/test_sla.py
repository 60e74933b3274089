"""The SLA monitor with a controllable clock (村级快件24小时基本出县, 48 h silence, cold parcels
late), the service-level figures the bureau's reports use, and the board that shows them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fulfillment import service_levels
from fulfillment.routing import waybills
from fulfillment.routing.models import Carrier, Shipment, SlaFlag, SlaKind, TrackingStatus
from fulfillment.routing.sla import run
from fulfillment.routing.tracking import Event, apply_events
from orders.models import SubOrder
from orders.status import OrderStatus
from tests.conftest import login
from tests.fulfillment.routing_world import (
    batch_for,
    book,
    paid_order,
    parcels,
    route,
    sub_order_of,
)
from yipin import clock
from yipin.db import commit, db

EXAMPLES = {
    "youzhengguonei": "9876543210123",
    "shunfeng": "SF1234567890123",
    "jd": "JDVA12345678901",
    "zhongtong": "731234567890123",
    "yuantong": "YT1234567890123",
    "yunda": "312345678901234",
    "shentong": "77123456789012",
    "jtexpress": "JT1234567890123",
}


def shipped(shop, variant, supplier, units=1):
    batch_for(variant)
    db.session.commit()
    order = paid_order(shop, [(variant, units)])
    sub = sub_order_of(order, supplier.id)
    route(sub)
    [fo] = parcels(sub)
    shipment = book(fo)  # a manual carrier: waiting for the number
    assert shipment.status == "awaiting_number"
    owner = shop.xunwu_owner if supplier.id == shop.xunwu.id else shop.nankang_owner
    waybills.enter_waybill(db.session, owner, fo.id, EXAMPLES[fo.service.carrier.code])
    commit()
    waybills.hand_over(db.session, owner, fo.id)
    commit()
    db.session.expire_all()
    return sub, db.session.get(Shipment, shipment.id)


def open_flags(kind=None):
    db.session.expire_all()
    stmt = sa.select(SlaFlag).where(SlaFlag.resolved_at.is_(None))
    if kind:
        stmt = stmt.where(SlaFlag.kind == kind)
    return list(db.session.scalars(stmt))


def scan(shipment, status, region, text):
    apply_events(
        db.session,
        db.session.get(Shipment, shipment.id),
        [Event(clock.now(), status, "0", text, text, region)],
    )
    commit()


def test_village_parcels_not_out_of_the_county_in_24_hours_are_flagged(shop, client):
    start = clock.now()
    sub, shipment = shipped(shop, shop.orange, shop.xunwu)
    assert shipment.origin_is_rural  # 寻乌's store lies in 长宁镇
    assert db.session.get(SubOrder, sub.id).status == OrderStatus.SHIPPED

    clock.advance(timedelta(hours=23, minutes=59))
    run(db.session)
    assert open_flags() == []

    clock.advance(timedelta(minutes=2))
    run(db.session)
    commit()
    [flag] = open_flags()
    assert flag.kind == SlaKind.NOT_OUT_OF_COUNTY
    login(client, shop.operator)
    page = client.get("/console/fulfillment/").get_data(as_text=True)
    assert 'data-kind="not_out_of_county"' in page

    scan(shipment, TrackingStatus.IN_TRANSIT, "360702", "离开【寻乌】发往【赣州中转场】")
    assert open_flags() == []  # out of the county now
    window = (start - timedelta(hours=1), start + timedelta(hours=1))
    assert service_levels.out_of_county_rate(db.session, *window) == (0, 1)  # late: 24 h 1 min
    assert service_levels.out_of_county_rate(db.session, *window, county_code="360734") == (0, 1)
    assert service_levels.out_of_county_rate(db.session, *window, county_code="360702") == (0, 0)

    clock.advance(timedelta(hours=48, minutes=1))
    run(db.session)
    commit()
    assert [f.kind for f in open_flags()] == [SlaKind.SILENT]
    scan(shipment, TrackingStatus.DELIVERED, "110105", "已签收，本人签收")
    assert open_flags() == []
    hours = service_levels.average_delivery_hours(db.session, start, clock.now() + timedelta(1))
    assert round(hours) == 72


def test_a_parcel_out_of_the_county_within_24_hours_counts_and_is_not_flagged(shop):
    start = clock.now()
    _sub, shipment = shipped(shop, shop.orange, shop.xunwu)
    clock.advance(timedelta(hours=20))
    scan(shipment, TrackingStatus.IN_TRANSIT, "360702", "到达【赣州中转场】")
    clock.advance(timedelta(hours=10))
    run(db.session)
    assert open_flags() == []
    window = (start - timedelta(hours=1), start + timedelta(hours=1))
    assert service_levels.out_of_county_rate(db.session, *window) == (1, 1)


def test_the_bureau_dashboard_shows_the_parcels_figures(shop, client):
    """The reports' logistics KPIs come from these service levels, for the bureau's county."""
    from tests import factories

    first = clock.today_local().isoformat()
    _sub, shipment = shipped(shop, shop.orange, shop.xunwu)
    clock.advance(timedelta(hours=20))
    scan(shipment, TrackingStatus.IN_TRANSIT, "360702", "到达【赣州中转场】")
    clock.advance(timedelta(hours=30))
    scan(shipment, TrackingStatus.DELIVERED, "110105", "已签收，本人签收")
    day = clock.today_local().isoformat()
    county = factories.bureau("360734")
    db.session.commit()
    login(client, county)
    body = client.get(f"/api/v1/reports/sales?start={first}&end={day}").get_json()
    kpis = {k["code"]: k for k in body["kpis"]}
    assert kpis["out_of_county_24h"]["value"] == 1.0  # its one parcel left 寻乌 within 24 h
    assert kpis["village_coverage"]["value"] == 1.0  # 中国邮政 reaches every village there
    assert kpis["average_delivery_hours"]["value"] == 50.0
    page = client.get(f"/bureau/sales?start={first}&end={day}").get_data(as_text=True)
    assert "24" in page and "快递进村" in page


def test_cold_parcels_past_their_promised_time_are_flagged(shop):
    _sub, shipment = shipped(shop, shop.pork, shop.nankang)
    assert shipment.is_cold and not shipment.origin_is_rural  # from the county hub
    promised = shipment.promised_at - clock.now()
    clock.advance(promised - timedelta(minutes=1))
    run(db.session)
    assert not open_flags(SlaKind.COLD_LATE)
    clock.advance(timedelta(minutes=2))
    run(db.session)
    commit()
    assert len(open_flags(SlaKind.COLD_LATE)) == 1
    scan(shipment, TrackingStatus.DELIVERED, "110105", "已签收")
    assert not open_flags(SlaKind.COLD_LATE)


def test_village_coverage_counts_stations_and_carriers_reaching_villages(shop):
    covered, villages = service_levels.village_coverage(db.session)
    assert villages > 4000 and covered == villages  # 中国邮政 reaches every village
    db.session.execute(
        sa.update(Carrier).where(Carrier.code == "youzhengguonei").values(is_active=False)
    )
    db.session.flush()
    covered, villages = service_levels.village_coverage(db.session)
    assert 0 < covered < villages  # 顺丰 / 京东 reach the villages of towns
    one_county = service_levels.village_coverage(db.session, "360734")
    assert 0 < one_county[1] < villages
    # with no carrier at all, the village service station still covers its village
    db.session.execute(sa.update(Carrier).values(is_active=False))
    db.session.flush()
    assert service_levels.village_coverage(db.session, "360734") == (1, one_county[1])


def test_the_maintenance_round_releases_expired_reservations_and_flags(shop):
    from fulfillment.routing import jobs
    from orders.models import Order
    from tests.orders.world import buy

    order = buy(shop, [(shop.orange, 4)])  # bank transfer, never paid
    commit()
    assert shop.reserved(shop.orange) == 4
    clock.advance(timedelta(days=4))  # past the 72 h a bank transfer may take
    counts = jobs.tick(reschedule=False)
    assert counts["expired"] == 1 and counts["raised"] == 0
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert shop.reserved(shop.orange) == 0


def test_service_levels_through_the_api_in_the_readers_scope(shop, app):
    from tests import factories as f

    _sub, shipment = shipped(shop, shop.orange, shop.xunwu)
    clock.advance(timedelta(hours=3))
    scan(shipment, TrackingStatus.IN_TRANSIT, "360702", "到达【赣州中转场】")
    day = "start=2026-11-20T00:00:00Z&end=2026-11-21T00:00:00Z"

    operator = app.test_client()
    login(operator, shop.operator)
    body = operator.get(f"/api/v1/fulfillment/service-levels?{day}").json
    assert body["out_of_county_within_24h"] == 1 and body["out_of_county_parcels"] == 1
    assert body["villages"] > 4000

    bureau = app.test_client()
    login(bureau, f.bureau("360734"))  # 寻乌县商务局
    mine = bureau.get(f"/api/v1/fulfillment/service-levels?{day}").json
    assert mine["out_of_county_parcels"] == 1 and mine["villages"] < body["villages"]
    assert (
        bureau.get(f"/api/v1/fulfillment/service-levels?{day}&county_code=360702").status_code
        == 404
    )
    assert bureau.get("/api/v1/fulfillment/service-levels?start=yesterday&end=x").status_code == 422

    supplier = app.test_client()
    login(supplier, shop.xunwu_owner)
    assert supplier.get(f"/api/v1/fulfillment/service-levels?{day}").status_code == 403
