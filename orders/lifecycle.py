"""Moving orders and sub-orders through the state machine (``orders.status.TRANSITIONS``),
with their history; and the verbs fulfillment calls as a parcel travels.

Routing (issue 9) calls ``mark_routed`` / ``record_batches`` / ``mark_shipped`` /
``mark_delivered``; until it lands, supplier staff and operators call them from the portal and
console (manual waybill entry, the embedded default). ``complete`` is the buyer's "confirm
receipt" (确认收货) and the scheduled auto-completion.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.models import Batch
from fulfillment.holds import hold_rows, release_holds, ship_holds
from orders.errors import AfterSalesInvalid, InvalidTransition
from orders.models import (
    Order,
    OrderEvent,
    OrderEventKind,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    ReservationState,
    StockReservation,
    SubOrder,
)
from orders.status import STATUS_LABELS, Level, OrderStatus, can_move, summarise
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l

SUB_TIMESTAMPS = {
    OrderStatus.AWAITING_ROUTING: "paid_at",
    OrderStatus.ROUTED: "routed_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}
ORDER_TIMESTAMPS = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def log(
    session: Session,
    order_id: int,
    kind: OrderEventKind,
    *,
    sub_order_id: int | None = None,
    source: OrderStatus | None = None,
    target: OrderStatus | None = None,
    message: str = "",
    actor_id: int | None = None,
    code: str = "",
) -> OrderEvent:
    """Append to the order's history (written with the next flush). ``code`` says what
    happened (its label is ``labels.EVENT_LABELS``), ``message`` the details."""
    event = OrderEvent(
        order_id=order_id,
        sub_order_id=sub_order_id,
        kind=kind,
        code=code,
        from_status=source,
        to_status=target,
        message=message[:300],
        actor_id=actor_id,
        at=clock.now(),
    )
    session.add(event)
    return event


def move_sub_order(
    session: Session,
    sub: SubOrder,
    target: OrderStatus,
    *,
    actor_id: int | None = None,
    message: str = "",
) -> None:
    """Move a sub-order along an allowed transition (``InvalidTransition`` otherwise)."""
    source = OrderStatus(sub.status)
    if not can_move(Level.SUB_ORDER, source, target):
        raise InvalidTransition(state=STATUS_LABELS[source], field="status")
    sub.status = target
    stamp = SUB_TIMESTAMPS.get(target)
    if stamp:
        setattr(sub, stamp, clock.now())
    log(
        session,
        sub.order_id,
        OrderEventKind.STATUS,
        sub_order_id=sub.id,
        source=source,
        target=target,
        message=message,
        actor_id=actor_id,
    )


def move_order(
    session: Session,
    order: Order,
    target: OrderStatus,
    *,
    actor_id: int | None = None,
    message: str = "",
) -> None:
    source = OrderStatus(order.status)
    if source == target:
        return
    if not can_move(Level.ORDER, source, target):
        raise InvalidTransition(state=STATUS_LABELS[source], field="status")
    order.status = target
    stamp = ORDER_TIMESTAMPS.get(target)
    if stamp:
        setattr(order, stamp, clock.now())
    log(
        session,
        order.id,
        OrderEventKind.STATUS,
        source=source,
        target=target,
        message=message,
        actor_id=actor_id,
    )


def resettle(session: Session, order: Order, *, actor_id: int | None = None) -> None:
    """Bring the order's status in line with its sub-orders and the money refunded."""
    target = summarise(
        OrderStatus(order.status),
        [OrderStatus(s.status) for s in order.sub_orders],
        order.total_fen,
        order.refunded_fen,
    )
    if target != order.status:
        move_order(session, order, target, actor_id=actor_id)


# ----------------------------------------------------------------------------- fulfillment seam


def _sub_order_for(session: Session, actor: User | None, sub_order_id: int) -> SubOrder:
    """A sub-order the actor may move: operators any, supplier staff their own (else 404);
    ``None`` is the system (jobs, routing)."""
    sub = session.scalars(
        sa.select(SubOrder)
        .where(SubOrder.id == sub_order_id)
        .options(selectinload(SubOrder.lines))
        .with_for_update(of=SubOrder)
    ).one_or_none()
    if sub is None:
        raise NotFound(field="sub_order_id")
    if actor is not None:
        if actor.role == Role.SUPPLIER:
            if sub.supplier_id != actor.supplier_id:
                raise NotFound(field="sub_order_id")
        elif actor.role != Role.OPERATOR:
            raise Forbidden()
    return sub


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


def mark_routed(
    session: Session, actor: User | None, sub_order_id: int, *, message: str = ""
) -> SubOrder:
    """Routing chose the warehouse(s) and carrier (分仓完成)."""
    sub = _sub_order_for(session, actor, sub_order_id)
    move_sub_order(session, sub, OrderStatus.ROUTED, actor_id=_actor_id(actor), message=message)
    session.flush()
    return sub


def reallocate(
    session: Session, sub_order_id: int, allocation: dict[int, list[tuple[int, int]]]
) -> None:
    """Routing chose other stock rows for some lines: ``{order_line_id: [(stock_id, units)]}``.
    The lines' allocated units are released and exactly these rows held instead (all or
    nothing: ``NotEnoughStock`` when a row no longer has the units); the reservations record
    the move. A fixed number of statements whatever the number of lines."""
    if not allocation:
        return
    current = list(
        session.scalars(
            sa.select(StockReservation)
            .join(OrderLine, OrderLine.id == StockReservation.order_line_id)
            .where(
                OrderLine.sub_order_id == sub_order_id,
                StockReservation.order_line_id.in_(list(allocation)),
                StockReservation.state.in_([ReservationState.ALLOCATED, ReservationState.HELD]),
            )
            .order_by(StockReservation.id)
        )
    )
    state = current[0].state if current else ReservationState.ALLOCATED
    release_holds(session, [(r.stock_id, r.quantity) for r in current])
    hold_rows(session, [pair for pairs in allocation.values() for pair in pairs])
    now = clock.now()
    for reservation in current:
        reservation.state = ReservationState.RELEASED
        reservation.updated_at = now
    session.add_all(
        StockReservation(
            order_line_id=line_id,
            stock_id=stock_id,
            quantity=quantity,
            state=state,
            expires_at=None,
            created_at=now,
            updated_at=now,
        )
        for line_id, pairs in allocation.items()
        for stock_id, quantity in pairs
        if quantity > 0
    )
    session.flush()


def record_batches(
    session: Session, actor: User | None, sub_order_id: int, batches: dict[int, int]
) -> SubOrder:
    """Which batch (lot) each line ships from: ``{order_line_id: batch_id}``; a batch must be
    of the line's variant (traceability and recalls depend on it)."""
    sub = _sub_order_for(session, actor, sub_order_id)
    _record_batches(session, sub, batches)
    return sub


def _record_batches(session: Session, sub: SubOrder, batches: dict[int, int]) -> None:
    lines = {line.id: line for line in sub.lines}
    if not batches:
        return
    found = {
        b.id: b
        for b in session.scalars(sa.select(Batch).where(Batch.id.in_(list(batches.values()))))
    }
    for line_id, batch_id in batches.items():
        line = lines.get(line_id)
        batch = found.get(batch_id)
        if line is None:
            raise NotFound(field="line_id")
        if batch is None or batch.variant_id != line.variant_id:
            raise AfterSalesInvalid(
                _l("Choose a batch of %(product)s.", product=line.product_name), field="batch_id"
            )
        line.batch_id = batch.id
    session.flush()


def mark_shipped(
    session: Session,
    actor: User | None,
    sub_order_id: int,
    *,
    carrier_name: str = "",
    waybill_number: str = "",
    batches: dict[int, int] | None = None,
) -> SubOrder:
    """The parcel left with the carrier: its units come off the shelf (``ship_holds``)."""
    sub = _sub_order_for(session, actor, sub_order_id)
    if batches:
        _record_batches(session, sub, batches)
    if sub.status == OrderStatus.AWAITING_ROUTING:  # manual path: routed and shipped at once
        move_sub_order(session, sub, OrderStatus.ROUTED, actor_id=_actor_id(actor))
    missing = [line.product_name for line in sub.lines if line.batch_id is None]
    if missing:
        raise AfterSalesInvalid(
            _l(
                "Record the batch each line ships from (%(products)s).", products="、".join(missing)
            ),
            field="batches",
        )
    sub.carrier_name = (carrier_name or "").strip()[:40]
    sub.waybill_number = (waybill_number or "").strip()[:40]
    reservations = list(
        session.scalars(
            sa.select(StockReservation).where(
                StockReservation.order_line_id.in_([line.id for line in sub.lines]),
                StockReservation.state == ReservationState.ALLOCATED,
            )
        )
    )
    ship_holds(
        session,
        [(r.stock_id, r.quantity) for r in reservations],
        actor_id=_actor_id(actor),
        reason=f"订单 {sub.number} 出库",
    )
    for reservation in reservations:
        reservation.state = ReservationState.SHIPPED
    message = " ".join(p for p in (sub.carrier_name, sub.waybill_number) if p)
    move_sub_order(session, sub, OrderStatus.SHIPPED, actor_id=_actor_id(actor), message=message)
    session.flush()
    return sub


def mark_delivered(
    session: Session, actor: User | None, sub_order_id: int, *, message: str = ""
) -> SubOrder:
    """The carrier reports the parcel delivered (or collected at the pickup point). A cash on
    delivery parcel is paid at this moment: its collection is recorded and the sale enters the
    ledger."""
    sub = _sub_order_for(session, actor, sub_order_id)
    move_sub_order(session, sub, OrderStatus.DELIVERED, actor_id=_actor_id(actor), message=message)
    cod = session.scalars(
        sa.select(Payment).where(
            Payment.sub_order_id == sub.id,
            Payment.method == PaymentMethod.COD,
            Payment.status == PaymentStatus.PENDING,
        )
    ).one_or_none()
    if cod is not None:
        from orders.payments.service import cash_collected

        cash_collected(session, cod, actor_id=_actor_id(actor))
    session.flush()
    return sub


def complete(session: Session, actor: User | None, sub_order_id: int) -> SubOrder:
    """The buyer confirms receipt (确认收货), or the time to do so ran out (``actor`` None)."""
    sub = _sub_order_for(session, None, sub_order_id)
    if actor is not None and actor.role != Role.OPERATOR and actor.id != sub.order.consumer_id:
        raise NotFound(field="sub_order_id")
    move_sub_order(session, sub, OrderStatus.COMPLETED, actor_id=_actor_id(actor))
    resettle(session, sub.order, actor_id=_actor_id(actor))
    session.flush()
    return sub


def completion_due(session: Session, days: int, limit: int = 500) -> list[int]:
    """Delivered sub-orders whose buyer did not confirm within ``days`` days."""
    before = clock.now() - timedelta(days=days)
    return list(
        session.scalars(
            sa.select(SubOrder.id)
            .where(SubOrder.status == OrderStatus.DELIVERED, SubOrder.delivered_at <= before)
            .order_by(SubOrder.id)
            .limit(limit)
        )
    )
