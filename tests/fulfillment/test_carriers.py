"""Carriers' systems: the 快递100-style adapter against a local aggregator speaking the protocol
(signed e-waybill booking, subscription, signed pushes to our callback, signed query), and a
real RQ worker process killed mid-booking whose retry books no second waybill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq.registry import StartedJobRegistry

from fulfillment.routing import jobs
from fulfillment.routing.adapters import Kuaidi100Adapter
from fulfillment.routing.errors import CarrierUnavailable
from fulfillment.routing.models import (
    AdapterKind,
    Carrier,
    FulfillmentOrder,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from orders.models import SubOrder
from orders.status import OrderStatus
from tests.fulfillment.kuaidi100_server import Aggregator
from tests.fulfillment.routing_world import (
    batch_for,
    book,
    only_carriers,
    paid_order,
    parcels,
    route,
    sub_order_of,
)
from yipin.db import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def aggregator():
    server = Aggregator().start()
    yield server
    server.stop()


def _configure(app, aggregator, callback_base: str = "http://127.0.0.1:9/unused") -> None:
    app.config.update(
        KUAIDI100_URL=aggregator.url,
        KUAIDI100_CUSTOMER=aggregator.customer,
        KUAIDI100_KEY=aggregator.key,
        KUAIDI100_SECRET=aggregator.secret,
        KUAIDI100_CALLBACK_URL=f"{callback_base}/api/v1/carriers/kuaidi100/callback",
    )
    only_carriers("shunfeng")
    db.session.execute(
        sa.update(Carrier).where(Carrier.code == "shunfeng").values(adapter=AdapterKind.KUAIDI100)
    )
    db.session.commit()


def _routed_orange(shop):
    batch_for(shop.orange)
    db.session.commit()
    order = paid_order(shop, [(shop.orange, 2)])
    sub = sub_order_of(order, shop.xunwu.id)
    route(sub)
    [fo] = parcels(sub)
    return sub, fo


def _events(shipment_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment_id)
    )


def test_aggregator_books_once_pushes_move_the_order_and_forged_pushes_are_refused(
    app, shop, aggregator, live_server
):
    _configure(app, aggregator, live_server)
    sub, fo = _routed_orange(shop)

    shipment = book(fo)
    assert shipment.status == ShipmentStatus.BOOKED
    assert shipment.waybill_number == aggregator.issued[shipment.idempotency_key]
    jobs.book(fo.id)  # a repeated job: nothing more is asked of the carrier
    assert aggregator.booking_requests == [shipment.idempotency_key]

    jobs.subscribe(shipment.id)
    number = shipment.waybill_number
    subscription = aggregator.subscriptions[number]
    assert subscription["callbackurl"].endswith(f"/callback/{shipment.id}")

    aggregator.scan(
        number,
        "2026-11-20 15:00:00",
        "1",
        "【寻乌县长宁镇】顺丰速运 已收取快件",
        "CN360734100000",
        "江西,赣州市,寻乌县",
    )
    aggregator.scan(
        number,
        "2026-11-20 23:30:00",
        "0",
        "快件已到达【赣州章贡中转场】",
        "CN360702000000",
        "江西,赣州市,章贡区",
    )
    status, body = aggregator.push(number)
    assert status == 200 and '"returnCode": "200"' in body.replace('":"', '": "')

    db.session.expire_all()
    shipment = db.session.get(Shipment, shipment.id)
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert shipment.collected_at.isoformat() == "2026-11-20T07:00:00+00:00"
    assert shipment.out_of_county_at.isoformat() == "2026-11-20T15:30:00+00:00"
    assert db.session.get(FulfillmentOrder, fo.id).status == "shipped"
    assert db.session.get(SubOrder, sub.id).status == OrderStatus.SHIPPED
    assert _events(shipment.id) == 2

    assert aggregator.push(number)[0] == 200  # the same push again: nothing new
    assert _events(shipment.id) == 2

    aggregator.scan(number, "2026-11-21 02:00:00", "3", "伪造：已签收", "CN110105000000")
    status, body = aggregator.push(number, salt="not-the-salt")
    assert status == 400 and "invalid_callback" in body
    db.session.expire_all()
    assert _events(shipment.id) == 2
    assert db.session.get(SubOrder, sub.id).status == OrderStatus.SHIPPED

    # the real delivery arrives by a poll (signed query): at a station, with a pickup code
    aggregator.traces[number].pop()
    aggregator.scan(
        number,
        "2026-11-22 10:00:00",
        "3",
        "您的快件已存放至【建国路菜鸟驿站】，请凭取件码 5-2-3011 领取",
        "CN110105000000",
        "北京,北京市,朝阳区",
    )
    assert jobs.poll(shipment.id) == 1
    db.session.expire_all()
    shipment = db.session.get(Shipment, shipment.id)
    assert shipment.pickup_code == "5-2-3011"
    assert shipment.status == ShipmentStatus.DELIVERED
    assert db.session.get(SubOrder, sub.id).status == OrderStatus.DELIVERED
    assert aggregator.refused == 0


def test_the_aggregator_refuses_our_requests_signed_with_another_key(app, shop, aggregator):
    _configure(app, aggregator)
    config = dict(app.config, KUAIDI100_KEY="stolen", KUAIDI100_SECRET="guess")
    with pytest.raises(CarrierUnavailable):
        Kuaidi100Adapter(config).track("shunfeng", "SF1000000000001", "2222")
    assert aggregator.refused == 1


def test_callbacks_without_the_salt_are_refused(client, shop):
    assert (
        client.post(
            "/api/v1/carriers/kuaidi100/callback/999", data={"param": "{}", "sign": "x"}
        ).status_code
        == 404
    )
    response = client.post("/api/v1/carriers/kuaidi100/callback/1", data={"sign": "x"})
    assert response.status_code in (404, 422)


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "fulfillment",
            "worker",
            "--queues",
            "carriers",
            "--simple",
            "--burst",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_booking_is_retried_and_books_one_waybill(
    app, shop, aggregator, tmp_path
):
    _configure(app, aggregator)
    app.config["FULFILLMENT_JOB_RETRY_INTERVALS"] = [0]
    _sub, fo = _routed_orange(shop)
    db.session.commit()
    aggregator.hold_bookings.set()  # issue the number, then keep the worker waiting
    job_id = jobs.enqueue("carriers", jobs.book, fo.id, job_id=f"book-{fo.id}")
    env = dict(
        os.environ,
        YIPIN_DATABASE_URL=app.config["DATABASE_URL"],
        YIPIN_REDIS_URL=app.config["REDIS_URL"],
        YIPIN_INSTANCE_PATH=str(tmp_path),
        YIPIN_SECRET_KEY="worker-test",
        YIPIN_KUAIDI100_URL=aggregator.url,
        YIPIN_KUAIDI100_CUSTOMER=aggregator.customer,
        YIPIN_KUAIDI100_KEY=aggregator.key,
        YIPIN_KUAIDI100_SECRET=aggregator.secret,
    )
    first = _worker(env)
    try:
        assert aggregator.booking_started.wait(120), first.stderr.read().decode()[-2000:]
        os.killpg(first.pid, signal.SIGKILL)  # mid-booking: the carrier issued a number
        first.wait(30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    aggregator.hold_bookings.clear()
    aggregator.release_bookings.set()
    db.session.expire_all()
    shipment = db.session.scalars(
        sa.select(Shipment).where(Shipment.fulfillment_order_id == fo.id)
    ).one()
    assert shipment.status == ShipmentStatus.BOOKING and shipment.waybill_number is None

    # the dead worker's heartbeat runs out: RQ's maintenance retries the abandoned job
    registry = StartedJobRegistry(queue=jobs.queue("carriers"))
    registry.cleanup(timestamp=time.time() + 10**6)
    second = _worker(env)
    assert second.wait(180) == 0, second.stderr.read().decode()[-2000:]

    db.session.expire_all()
    shipments = list(
        db.session.scalars(sa.select(Shipment).where(Shipment.fulfillment_order_id == fo.id))
    )
    assert len(shipments) == 1
    assert len(aggregator.booking_requests) == 2  # asked twice …
    assert set(aggregator.issued) == {shipments[0].idempotency_key}  # … one waybill issued
    assert shipments[0].waybill_number == aggregator.issued[shipments[0].idempotency_key]
    assert shipments[0].status == ShipmentStatus.BOOKED
    assert job_id == f"book-{fo.id}"
