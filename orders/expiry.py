"""Unpaid orders give their stock back: cancelled by the buyer, or when the payment time runs
out (a delayed outbox entry per order, ``orders.payment_due``, plus ``flask orders expire`` as a
sweep from cron). Stripe intents of a cancelled order are cancelled at Stripe by a job, after
the commit; a payment that still lands later is handled by ``payment_succeeded`` (revive or
refund)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fulfillment.holds import release_holds
from orders.errors import InvalidTransition
from orders.lifecycle import move_order, move_sub_order
from orders.models import (
    Order,
    OrderStatus,
    PaymentStatus,
    ReservationState,
    StockReservation,
)
from orders.payments.service import lock_order, void_payment
from orders.status import STATUS_LABELS
from yipin import clock, outbox
from yipin.accounts.models import Role, User
from yipin.errors import NotFound


def _release(session: Session, order: Order, states: tuple[ReservationState, ...]) -> None:
    line_ids = [line.id for sub in order.sub_orders for line in sub.lines]
    reservations = list(
        session.scalars(
            sa.select(StockReservation).where(
                StockReservation.order_line_id.in_(line_ids), StockReservation.state.in_(states)
            )
        )
    )
    release_holds(session, [(r.stock_id, r.quantity) for r in reservations])
    for reservation in reservations:
        reservation.state = ReservationState.RELEASED


def cancel_unpaid(
    session: Session, order: Order, *, reason: str, actor_id: int | None = None
) -> None:
    """Cancel an order awaiting payment (the order row is locked by the caller)."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise InvalidTransition(state=STATUS_LABELS[OrderStatus(order.status)], field="status")
    _release(session, order, (ReservationState.HELD,))
    for sub in order.sub_orders:
        move_sub_order(session, sub, OrderStatus.CANCELLED, actor_id=actor_id, message=reason)
        sub.cancel_reason = reason[:200]
    move_order(session, order, OrderStatus.CANCELLED, actor_id=actor_id, message=reason)
    order.cancel_reason = reason[:200]
    order.payment_due_at = None
    for payment in order.payments:
        void_payment(session, payment)
    session.flush()


def buyer_cancels_unpaid(session: Session, actor: User, order_id: int, reason: str) -> Order:
    order = lock_order(session, order_id)
    if actor.role != Role.OPERATOR and order.consumer_id != actor.id:
        raise NotFound(field="order_id")
    cancel_unpaid(session, order, reason=reason or "cancelled by the buyer", actor_id=actor.id)
    return order


def expire_order(session: Session, order_id: int) -> str:
    """Cancel the order if its payment time ran out; otherwise look again when it does."""
    order = lock_order(session, order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return "not awaiting payment"
    now = clock.now()
    if any(p.status == PaymentStatus.PROCESSING for p in order.payments):
        # the provider is confirming a payment: give it time rather than free the stock
        order.payment_due_at = now + timedelta(minutes=30)
    if order.payment_due_at is not None and order.payment_due_at > now:
        outbox.emit(
            session,
            "orders.payment_due",
            {"order_id": order.id},
            delay=order.payment_due_at - now,
        )
        return "not due yet"
    cancel_unpaid(session, order, reason="payment time ran out")
    return "expired"


def overdue(session: Session, limit: int = 500) -> list[int]:
    """Orders awaiting payment whose time ran out (the sweep's work list)."""
    return list(
        session.scalars(
            sa.select(Order.id)
            .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.payment_due_at <= clock.now())
            .order_by(Order.payment_due_at, Order.id)
            .limit(limit)
        )
    )


def release_for_cancelled_sub_order(session: Session, order: Order, sub_id: int) -> None:
    """Free the allocated stock of one sub-order cancelled before shipment."""
    line_ids = [line.id for sub in order.sub_orders if sub.id == sub_id for line in sub.lines]
    reservations = list(
        session.scalars(
            sa.select(StockReservation).where(
                StockReservation.order_line_id.in_(line_ids),
                StockReservation.state.in_((ReservationState.HELD, ReservationState.ALLOCATED)),
            )
        )
    )
    release_holds(session, [(r.stock_id, r.quantity) for r in reservations])
    for reservation in reservations:
        reservation.state = ReservationState.RELEASED
