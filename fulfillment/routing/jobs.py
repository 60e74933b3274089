"""RQ jobs of routing, fed by the outbox, on three queues:

- ``routing``: ``route`` a sub-order (job id ``route-<sub_order>``);
- ``carriers``: ``book`` a waybill (``book-<fo>``), ``subscribe`` to its tracking
  (``subscribe-<shipment>``), ``poll`` it (``poll-<shipment>-<hour>``), ``void`` it
  (``void-<shipment>``);
- ``maintenance``: ``tick`` (scheduled: the SLA monitor, polls due, the expired-reservation
  sweep, sub-orders still waiting for routing; ``tick-<slot>``).

A job id is unique: a second enqueue while that job waits or runs is a no-op.

Every job takes ids (JSON serializer), runs in an app context, commits once per unit of
work and raises on failure, so RQ's ``Retry`` (``FULFILLMENT_JOB_RETRY_INTERVALS``) tries it
again through the scheduler; a worker killed mid-job leaves the job to RQ's abandoned-job
handling, which retries it too. Every job is idempotent: routing skips a routed sub-order,
booking records the waybill's key before the carrier is called and sends it with every
attempt (``waybills.new_shipment``), so a retry books no second waybill.

Without Redis (the embedded default) the same functions run in-process, at once.

Workers: ``flask fulfillment worker`` (all three queues, with the scheduler; ``--queues`` to
pick, ``--burst`` to stop when empty, ``--simple`` to run jobs in the worker process).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from rq import Queue, Retry, SimpleWorker, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from yipin import clock, jobs
from yipin.db import commit, db

log = logging.getLogger("yipin.fulfillment.jobs")
QUEUES = ("routing", "carriers", "maintenance")
WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}

DEFAULTS: dict[str, Any] = {
    "FULFILLMENT_JOB_RETRIES": 5,
    "FULFILLMENT_JOB_RETRY_INTERVALS": [10, 60, 300, 900, 3600],
    "FULFILLMENT_JOB_TIMEOUT": 120,
    "FULFILLMENT_SLA_EVERY_SECONDS": 900,
    "FULFILLMENT_POLL_AFTER_HOURS": 6,  # poll a parcel whose last event is older than this
    "KUAIDI100_URL": "",
    "KUAIDI100_CUSTOMER": "",
    "KUAIDI100_KEY": "",
    "KUAIDI100_SECRET": "",
    "KUAIDI100_CALLBACK_URL": "",
}


def setting(name: str) -> Any:
    return current_app.config.get(name, DEFAULTS[name])


def queue(name: str) -> Queue:
    app = current_app
    connection = app.extensions.get("yipin_redis")
    if connection is None:
        connection = app.extensions["yipin_redis"] = jobs.redis_connection(app.config["REDIS_URL"])
    return Queue(name, connection=connection, serializer=JSONSerializer)


def enqueue(
    queue_name: str,
    func: Callable[..., Any],
    *args: Any,
    job_id: str,
    delay: timedelta | None = None,
) -> str | None:
    """Put a job on a queue under a unique id (nothing new while that job still waits or
    runs); without Redis, run it now. Returns the job id (None when it ran in-process)."""
    if not jobs.uses_rq():
        func(*args)
        return None
    q = queue(queue_name)
    try:
        existing = Job.fetch(job_id, connection=q.connection, serializer=JSONSerializer)
        if existing.get_status(refresh=False) in WAITING:
            return job_id
    except NoSuchJobError:
        pass
    intervals = list(setting("FULFILLMENT_JOB_RETRY_INTERVALS"))
    options: dict[str, Any] = {
        "job_id": job_id,
        "retry": Retry(max=int(setting("FULFILLMENT_JOB_RETRIES")), interval=intervals),
        "job_timeout": int(setting("FULFILLMENT_JOB_TIMEOUT")),
        "result_ttl": 3600,
        "failure_ttl": 7 * 86400,
        "description": f"{func.__name__}{args}",
    }
    name = f"{func.__module__}.{func.__name__}"
    if delay:
        q.enqueue_in(delay, name, *args, **options)
    else:
        q.enqueue(name, *args, **options)
    return job_id


def make_worker(app: Any, names: list[str] | None = None, *, simple: bool = False) -> Worker:
    with app.app_context():
        queues = [queue(name) for name in (names or QUEUES)]
    cls = SimpleWorker if simple else Worker
    return cls(queues, connection=queues[0].connection, serializer=JSONSerializer)


def _unit(work: Callable[[], Any]) -> Any:
    """Run one unit of work in the job's app context: commit it, or roll back and re-raise."""
    with jobs.job_app_context():
        try:
            result = work()
            commit()
            return result
        except BaseException:
            db.session.rollback()
            raise


# ----------------------------------------------------------------------------- jobs


def route(sub_order_id: int) -> None:
    """Route one sub-order (queue ``routing``)."""
    from fulfillment.routing.actions import route_sub_order

    def work() -> None:
        decision = route_sub_order(db.session, int(sub_order_id))
        log.info(
            "route sub_order=%s outcome=%s", sub_order_id, decision.outcome if decision else "skip"
        )

    _unit(work)


def noop(n: int = 0) -> int:
    """A job that does nothing in an app context (the benchmark's baseline)."""
    with jobs.job_app_context():
        return int(n)


def book(fo_id: int) -> None:
    """Book the waybill of a fulfillment order (queue ``carriers``). The shipment row and its
    idempotency key are committed before the carrier is called; a retry sends the same key."""
    from fulfillment.routing import adapters
    from fulfillment.routing.actions import fulfillment_order_for
    from fulfillment.routing.models import (
        FulfillmentStatus,
        Shipment,
        ShipmentStatus,
    )
    from fulfillment.routing.waybills import new_shipment, record_booking
    from orders.models import Order

    with jobs.job_app_context():
        try:
            fo = fulfillment_order_for(db.session, None, int(fo_id), lock=True)
            if fo.status not in (FulfillmentStatus.OPEN, FulfillmentStatus.IN_PROGRESS):
                db.session.rollback()
                return
            shipment = fo.shipment
            if shipment is None:
                shipment = new_shipment(db.session, fo)
            elif shipment.status != ShipmentStatus.BOOKING:
                db.session.rollback()
                return
            order = db.session.get(Order, fo.order_id)
            assert order is not None
            warehouse = fo.warehouse
            carrier = fo.service.carrier
            request = adapters.BookingRequest(
                idempotency_key=shipment.idempotency_key,
                carrier_code=carrier.code,
                service_code=fo.service.code,
                sender=adapters.Party(
                    warehouse.contact_name or warehouse.name,
                    warehouse.contact_phone,
                    f"{warehouse.region.full_name}{warehouse.address_detail}",
                ),
                recipient=adapters.Party(
                    order.recipient_name,
                    order.recipient_phone,
                    f"{order.region.full_name if order.region else order.region_code}"
                    f"{order.address_detail}",
                ),
                weight_g=fo.weight_g,
                cargo=fo.number,
                cold=fo.storage_class != "ambient",
            )
            shipment_id, kind = shipment.id, carrier.adapter
            commit()  # the key is on record before the carrier hears of it
        except BaseException:
            db.session.rollback()
            raise
        booking = adapters.adapter_for(kind).book(request)  # raises → RQ retries
        try:
            shipment = db.session.scalars(
                sa.select(Shipment).where(Shipment.id == shipment_id).with_for_update(of=Shipment)
            ).one()
            if shipment.status != ShipmentStatus.BOOKING:
                db.session.rollback()
                return
            record_booking(db.session, shipment, booking.waybill_number)
            log.info("book fo=%s waybill=%s", fo_id, booking.waybill_number)
            commit()
        except BaseException:
            db.session.rollback()
            raise


def subscribe(shipment_id: int) -> None:
    """Subscribe to the aggregator's pushes for a waybill (queue ``carriers``). The salt is
    committed first so a push that comes at once can be verified."""
    from fulfillment.routing import adapters
    from fulfillment.routing.models import AdapterKind, Shipment

    with jobs.job_app_context():
        shipment = db.session.get(Shipment, int(shipment_id))
        if (
            shipment is None
            or not shipment.waybill_number
            or shipment.carrier.adapter != AdapterKind.KUAIDI100
            or shipment.subscribed_at is not None
        ):
            db.session.rollback()
            return
        if not shipment.subscription_salt:
            shipment.subscription_salt = secrets.token_hex(16)
            commit()
            shipment = db.session.get(Shipment, int(shipment_id))
            assert shipment is not None
        base = str(setting("KUAIDI100_CALLBACK_URL")).rstrip("/")
        adapter = adapters.Kuaidi100Adapter()
        adapter.subscribe(
            shipment.carrier.code,
            shipment.waybill_number or "",
            shipment.subscription_salt or "",
            f"{base}/{shipment.id}",
        )
        shipment.subscribed_at = clock.now()
        commit()


def poll(shipment_id: int) -> int:
    """Ask the aggregator for a waybill's trace and apply it (queue ``carriers``)."""
    from fulfillment.routing import adapters
    from fulfillment.routing.models import AdapterKind, Shipment
    from fulfillment.routing.tracking import apply_events
    from orders.models import Order

    def work() -> int:
        shipment = db.session.get(Shipment, int(shipment_id))
        if shipment is None or not shipment.waybill_number:
            return 0
        if shipment.carrier.adapter != AdapterKind.KUAIDI100:
            return 0
        order = db.session.get(Order, shipment.order_id)
        events = adapters.Kuaidi100Adapter().track(
            shipment.carrier.code, shipment.waybill_number, order.recipient_phone if order else ""
        )
        return apply_events(db.session, shipment, events, source="poll")

    return int(_unit(work))


def void(shipment_id: int) -> None:
    """Cancel a voided waybill at the carrier (queue ``carriers``)."""
    from fulfillment.routing import adapters
    from fulfillment.routing.models import Shipment

    with jobs.job_app_context():
        shipment = db.session.get(Shipment, int(shipment_id))
        if shipment is None or not shipment.waybill_number:
            return
        adapters.adapter_for(shipment.carrier.adapter).cancel(
            shipment.carrier.code, shipment.waybill_number, shipment.idempotency_key
        )
        db.session.rollback()


def _slot(seconds: int) -> int:
    return int(clock.now().timestamp()) // max(1, seconds)


def sla_monitor(reschedule: bool = False) -> dict[str, int]:
    """Flag parcels breaking an SLA (queue ``maintenance``; ``tick`` runs it on schedule)."""
    from fulfillment.routing.sla import run

    return dict(_unit(lambda: run(db.session)))


def poll_due() -> int:
    """Enqueue polls of moving aggregator parcels silent for a while (queue ``maintenance``)."""
    from fulfillment.routing.models import MOVING, AdapterKind, Carrier, Shipment, ShipmentStatus

    with jobs.job_app_context():
        before = clock.now() - timedelta(hours=int(setting("FULFILLMENT_POLL_AFTER_HOURS")))
        ids = list(
            db.session.scalars(
                sa.select(Shipment.id)
                .join(Carrier, Carrier.id == Shipment.carrier_id)
                .where(
                    Carrier.adapter == AdapterKind.KUAIDI100,
                    Shipment.status.in_([*MOVING, ShipmentStatus.BOOKED]),
                    sa.or_(Shipment.last_event_at.is_(None), Shipment.last_event_at < before),
                )
                .order_by(Shipment.id)
                .limit(1000)
            )
        )
        db.session.rollback()
        hour = _slot(3600)
        for shipment_id in ids:
            enqueue("carriers", poll, shipment_id, job_id=f"poll-{shipment_id}-{hour}")
        return len(ids)


def expire_reservations() -> int:
    """Cancel unpaid orders whose time ran out, releasing their held stock (the sweep behind
    each order's own delayed job; queue ``maintenance``)."""
    from orders.expiry import expire_order, overdue

    with jobs.job_app_context():
        done = 0
        for order_id in overdue(db.session):
            try:
                if expire_order(db.session, order_id) == "expired":
                    done += 1
                commit()
            except BaseException:
                db.session.rollback()
                raise
        return done


def route_waiting() -> int:
    """Enqueue routing for paid sub-orders waiting 10 minutes with no decision yet (an outbox
    entry lost on the way, or sub-orders from before routing existed); queue ``maintenance``."""
    from fulfillment.routing.models import RoutingDecision
    from orders.models import SubOrder
    from orders.status import OrderStatus

    with jobs.job_app_context():
        before = clock.now() - timedelta(minutes=10)
        ids = list(
            db.session.scalars(
                sa.select(SubOrder.id)
                .where(
                    SubOrder.status == OrderStatus.AWAITING_ROUTING,
                    SubOrder.paid_at <= before,
                    ~sa.exists().where(RoutingDecision.sub_order_id == SubOrder.id),
                )
                .order_by(SubOrder.id)
                .limit(1000)
            )
        )
        db.session.rollback()
        for sub_order_id in ids:
            enqueue("routing", route, sub_order_id, job_id=f"route-{sub_order_id}")
        return len(ids)


def tick(reschedule: bool = True) -> dict[str, int]:
    """The scheduled maintenance round (queue ``maintenance``): the SLA monitor, polls of
    silent parcels, the expired-reservation sweep; then it schedules the next round."""
    counts = sla_monitor(reschedule=False)
    counts["polls"] = poll_due()
    counts["routed"] = route_waiting()
    counts["expired"] = expire_reservations()
    if reschedule and jobs.uses_rq():
        with jobs.job_app_context():
            every = int(setting("FULFILLMENT_SLA_EVERY_SECONDS"))
            enqueue(
                "maintenance",
                tick,
                True,
                job_id=f"tick-{_slot(every) + 1}",
                delay=timedelta(seconds=every),
            )
    return counts


def schedule_periodic() -> str | None:
    """Make sure a maintenance round is on its way (the worker command calls this)."""
    every = int(setting("FULFILLMENT_SLA_EVERY_SECONDS"))
    return enqueue("maintenance", tick, True, job_id=f"tick-{_slot(every)}")
