"""The order state machine: statuses, their labels and every allowed transition in one table.

An order is one payment; it is split into one sub-order per supplier. The order carries the
payment's story (awaiting payment → paid, or cash on delivery), the sub-orders carry the
parcel's (awaiting routing → routed → shipped → delivered → completed). Cancellation and refunds
apply to sub-orders; the order's status after payment is a summary of its sub-orders
(``summarise``).

Fulfillment (issue 9) moves sub-orders through ``routed`` / ``shipped`` / ``delivered`` with the
actions in ``orders.lifecycle``; nothing else writes these columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from yipin.i18n import _l


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"  # 待付款 (order and its sub-orders)
    CASH_ON_DELIVERY = "cash_on_delivery"  # 货到付款: confirmed, paid when delivered (order)
    PAID = "paid"  # 已付款 (order)
    AWAITING_ROUTING = "awaiting_routing"  # 待分仓 (sub-order: paid, waiting for routing)
    ROUTED = "routed"  # 已分仓 (sub-order: warehouse and carrier chosen)
    SHIPPED = "shipped"  # 已发货
    DELIVERED = "delivered"  # 已签收
    COMPLETED = "completed"  # 已完成 (confirmed by the buyer or automatically)
    CANCELLED = "cancelled"  # 已取消 (before shipment; stock freed, money refunded)
    PARTLY_REFUNDED = "partly_refunded"  # 部分退款 (after delivery: 坏果包赔, a partial return)
    REFUNDED = "refunded"  # 已退款 (everything paid was refunded)


class Level(StrEnum):
    ORDER = "order"
    SUB_ORDER = "sub_order"


STATUS_LABELS: dict[OrderStatus, Any] = {
    OrderStatus.PENDING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.CASH_ON_DELIVERY: _l("Cash on delivery"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.AWAITING_ROUTING: _l("Awaiting dispatch"),
    OrderStatus.ROUTED: _l("Being packed"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.PARTLY_REFUNDED: _l("Partly refunded"),
    OrderStatus.REFUNDED: _l("Refunded"),
}


def status_label(status: OrderStatus | str) -> str:
    return str(STATUS_LABELS[OrderStatus(status)])


@dataclass(frozen=True)
class Transition:
    level: Level
    source: OrderStatus
    target: OrderStatus
    event: str  # the action that makes it


S = OrderStatus
ORDER, SUB = Level.ORDER, Level.SUB_ORDER

# Every allowed status change, in one table (rendered in orders/README.md).
TRANSITIONS: tuple[Transition, ...] = (
    # the order (one payment)
    Transition(ORDER, S.PENDING_PAYMENT, S.PAID, "payment succeeded"),
    Transition(ORDER, S.PENDING_PAYMENT, S.CASH_ON_DELIVERY, "cash on delivery chosen"),
    Transition(ORDER, S.PENDING_PAYMENT, S.CANCELLED, "cancelled or payment time ran out"),
    Transition(ORDER, S.CANCELLED, S.PAID, "late payment, stock still there"),
    Transition(ORDER, S.CASH_ON_DELIVERY, S.PAID, "cash collected on delivery"),
    Transition(ORDER, S.CASH_ON_DELIVERY, S.CANCELLED, "every sub-order cancelled"),
    Transition(ORDER, S.CASH_ON_DELIVERY, S.PARTLY_REFUNDED, "a collected parcel refunded"),
    Transition(ORDER, S.CASH_ON_DELIVERY, S.REFUNDED, "every parcel refunded"),
    Transition(ORDER, S.PAID, S.CANCELLED, "every sub-order cancelled"),
    Transition(ORDER, S.PAID, S.PARTLY_REFUNDED, "part of the payment refunded"),
    Transition(ORDER, S.PAID, S.REFUNDED, "all of the payment refunded"),
    Transition(ORDER, S.PAID, S.COMPLETED, "every sub-order finished"),
    Transition(ORDER, S.PARTLY_REFUNDED, S.REFUNDED, "the rest refunded"),
    Transition(ORDER, S.PARTLY_REFUNDED, S.CANCELLED, "every sub-order cancelled"),
    Transition(ORDER, S.COMPLETED, S.PARTLY_REFUNDED, "after-sales refund"),
    Transition(ORDER, S.COMPLETED, S.REFUNDED, "after-sales refund of everything"),
    # a sub-order (one supplier's parcel)
    Transition(SUB, S.PENDING_PAYMENT, S.AWAITING_ROUTING, "paid or cash on delivery"),
    Transition(SUB, S.PENDING_PAYMENT, S.CANCELLED, "order cancelled before payment"),
    Transition(SUB, S.CANCELLED, S.AWAITING_ROUTING, "late payment, stock still there"),
    Transition(SUB, S.AWAITING_ROUTING, S.ROUTED, "routing chose warehouse and carrier"),
    Transition(SUB, S.AWAITING_ROUTING, S.CANCELLED, "cancelled before shipment"),
    Transition(SUB, S.ROUTED, S.AWAITING_ROUTING, "routing undone (re-route)"),
    Transition(SUB, S.ROUTED, S.SHIPPED, "handed to the carrier"),
    Transition(SUB, S.ROUTED, S.CANCELLED, "cancelled before shipment"),
    Transition(SUB, S.SHIPPED, S.DELIVERED, "carrier reports delivery"),
    Transition(SUB, S.SHIPPED, S.REFUNDED, "lost or returned parcel refunded"),
    Transition(SUB, S.DELIVERED, S.COMPLETED, "buyer confirmed or time ran out"),
    Transition(SUB, S.DELIVERED, S.PARTLY_REFUNDED, "坏果包赔 or partial return refunded"),
    Transition(SUB, S.DELIVERED, S.REFUNDED, "full return refunded"),
    Transition(SUB, S.COMPLETED, S.PARTLY_REFUNDED, "after-sales refund"),
    Transition(SUB, S.COMPLETED, S.REFUNDED, "after-sales refund of everything"),
    Transition(SUB, S.PARTLY_REFUNDED, S.REFUNDED, "the rest refunded"),
)
ALLOWED: dict[tuple[Level, OrderStatus], frozenset[OrderStatus]] = {}
for _t in TRANSITIONS:
    ALLOWED[(_t.level, _t.source)] = ALLOWED.get((_t.level, _t.source), frozenset()) | {_t.target}

# Sub-order statuses whose goods count as sold (traceability "units sold", supplier sales).
# PAID stays for sub-orders written before sub-orders had their own parcel statuses.
SOLD_STATUSES = (
    S.PAID,
    S.AWAITING_ROUTING,
    S.ROUTED,
    S.SHIPPED,
    S.DELIVERED,
    S.COMPLETED,
    S.PARTLY_REFUNDED,
)
# Not yet handed to a carrier: may still be cancelled (stock freed, money refunded).
BEFORE_SHIPMENT = (S.PENDING_PAYMENT, S.AWAITING_ROUTING, S.ROUTED)
# Delivered: after-sales (returns, 坏果包赔) may start.
AFTER_DELIVERY = (S.DELIVERED, S.COMPLETED, S.PARTLY_REFUNDED)
SUB_ORDER_FINISHED = (S.COMPLETED, S.CANCELLED, S.PARTLY_REFUNDED, S.REFUNDED)


def can_move(level: Level, source: OrderStatus, target: OrderStatus) -> bool:
    return target in ALLOWED.get((level, OrderStatus(source)), frozenset())


def summarise(
    current: OrderStatus,
    sub_statuses: list[OrderStatus],
    total_fen: int,
    refunded_fen: int,
) -> OrderStatus:
    """The order's status once it is paid (or confirmed for cash on delivery), from its
    sub-orders and the money refunded."""
    if current == S.PENDING_PAYMENT:
        return current
    subs = [OrderStatus(s) for s in sub_statuses]
    if subs and all(s == S.CANCELLED for s in subs):
        return S.CANCELLED
    if refunded_fen and (
        refunded_fen >= total_fen or all(s in (S.REFUNDED, S.CANCELLED) for s in subs)
    ):
        return S.REFUNDED
    if refunded_fen > 0:
        return S.PARTLY_REFUNDED
    if current == S.CASH_ON_DELIVERY:
        return current
    if subs and all(s in SUB_ORDER_FINISHED for s in subs):
        return S.COMPLETED
    return S.PAID
