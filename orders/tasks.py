"""Jobs (outbox handlers) of the order side.

Topics (payloads carry ids; the full table with subscribers is in orders/README.md):
``orders.payment_due`` (delayed: cancel if still unpaid), ``orders.order_paid`` and
``orders.order_confirmed`` (cash on delivery) fan out ``orders.suborder_awaiting_routing`` per
parcel for routing and tell the suppliers, ``orders.refund_to_send`` sends a Stripe refund,
``orders.intent_to_void`` voids an intent. ``orders.suborder_awaiting_routing`` and
``orders.suborder_cancelled`` are handled by ``fulfillment.tasks``.

Handlers are idempotent: an entry may run twice.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from orders.models import Order, SubOrder
from orders.status import OrderStatus
from yipin import outbox
from yipin.db import db
from yipin.notifications import notify_supplier, notify_user


@outbox.handler("orders.payment_due")
def expire_unpaid(payload: dict[str, Any]) -> None:
    from orders.expiry import expire_order

    expire_order(db.session, int(payload["order_id"]))


def _fan_out(order_id: int, paid: bool) -> None:
    order = db.session.get(Order, order_id)
    if order is None:
        return
    subs = list(
        db.session.scalars(
            sa.select(SubOrder).where(
                SubOrder.order_id == order.id, SubOrder.status == OrderStatus.AWAITING_ROUTING
            )
        )
    )
    for sub in subs:
        outbox.emit(
            db.session,
            "orders.suborder_awaiting_routing",
            {"sub_order_id": sub.id},
            once_per_transaction=True,
        )
        notify_supplier(
            db.session,
            sub.supplier_id,
            "order.new",
            f"新订单待发货 {sub.number}" if paid else f"货到付款订单待发货 {sub.number}",
            link=f"/supplier/orders/{sub.id}",
        )
    notify_user(
        db.session,
        order.consumer_id,
        "orders.order_paid" if paid else "orders.order_confirmed",
        f"订单 {order.number} 已付款" if paid else f"订单 {order.number} 已确认（货到付款）",
        link=f"/orders/{order.number}",
    )


@outbox.handler("orders.order_paid")
def order_paid(payload: dict[str, Any]) -> None:
    _fan_out(int(payload["order_id"]), paid=True)


@outbox.handler("orders.order_confirmed")
def order_confirmed(payload: dict[str, Any]) -> None:
    _fan_out(int(payload["order_id"]), paid=False)


@outbox.handler("orders.refund_to_send")
def send_refund(payload: dict[str, Any]) -> None:
    from orders.payments.flows import send_refund as send

    send(int(payload["refund_id"]))


@outbox.handler("orders.intent_to_void")
def cancel_intent(payload: dict[str, Any]) -> None:
    from orders.payments.flows import cancel_intent as cancel

    cancel(int(payload["payment_id"]))
