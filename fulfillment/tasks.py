"""Jobs (outbox handlers) of this package: each hands the work to an RQ job on routing's own
queues (``fulfillment.routing.jobs``) under a unique job id, or runs it at once without Redis.

| topic | emitted by | job |
| --- | --- | --- |
| ``orders.suborder_awaiting_routing`` | orders (paid / COD confirmed) | ``route`` (routing) |
| ``orders.suborder_cancelled`` | orders (cancelled) | parcels cancelled, ``void`` each waybill |
| ``fulfillment.waybill_to_book`` | routing, operator actions | ``book`` (carriers) |
| ``fulfillment.waybill_booked`` | booking, manual entry | ``subscribe`` (carriers) |
| ``fulfillment.waybill_to_void`` | moves, carrier changes, cancellation | ``void`` (carriers) |

Handlers are idempotent: an entry may run twice, a job id waits once.
"""

from __future__ import annotations

import logging
from typing import Any

from fulfillment.routing import jobs
from yipin import outbox
from yipin.db import db

log = logging.getLogger("yipin.fulfillment")


@outbox.handler("orders.suborder_awaiting_routing")
def route_sub_order(payload: dict[str, Any]) -> None:
    sub_order_id = int(payload["sub_order_id"])
    jobs.enqueue("routing", jobs.route, sub_order_id, job_id=f"route-{sub_order_id}")


@outbox.handler("orders.suborder_cancelled")
def sub_order_cancelled(payload: dict[str, Any]) -> None:
    from fulfillment.routing.waybills import cancel_for_sub_order

    cancelled = cancel_for_sub_order(db.session, int(payload["sub_order_id"]))
    log.info("sub-order %s cancelled: %s parcels cancelled", payload, cancelled)


@outbox.handler("fulfillment.waybill_to_book")
def waybill_to_book(payload: dict[str, Any]) -> None:
    fo_id = int(payload["fulfillment_order_id"])
    jobs.enqueue("carriers", jobs.book, fo_id, job_id=f"book-{fo_id}")


@outbox.handler("fulfillment.waybill_booked")
def waybill_booked(payload: dict[str, Any]) -> None:
    shipment_id = int(payload["shipment_id"])
    jobs.enqueue("carriers", jobs.subscribe, shipment_id, job_id=f"subscribe-{shipment_id}")


@outbox.handler("fulfillment.waybill_to_void")
def waybill_to_void(payload: dict[str, Any]) -> None:
    shipment_id = int(payload["shipment_id"])
    jobs.enqueue("carriers", jobs.void, shipment_id, job_id=f"void-{shipment_id}")
