"""What a payment's outcome does to its order, for every method.

- ``payment_succeeded`` — Stripe's ``payment_intent.succeeded``, an operator confirming a bank
  transfer, the courier's cash (``cash_collected``): the held stock becomes an allocation, the
  order is paid, its sub-orders wait for routing, the lines enter the sales ledger and the
  outbox tells routing and the supplier (``orders.order_paid``). Applied once: a second call changes
  nothing. A payment that arrives after the order was cancelled revives it when the stock is
  still there, and is refunded otherwise; a second payment of a paid order is refunded.
- ``payment_failed`` / ``payment_processing`` / ``payment_cancelled`` never undo a success, so
  the provider's events converge whatever order they arrive in.

The order row is locked (``SELECT … FOR UPDATE``) for the length of each of these, so a webhook,
the expiry job and an operator never interleave on one order. No provider is called here.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from fulfillment.holds import Demand, NotEnoughStock, hold_stock
from orders import ledger
from orders.errors import AfterSalesInvalid, PaymentMethodUnavailable
from orders.lifecycle import log, move_order, move_sub_order
from orders.models import (
    Order,
    OrderEventKind,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    RefundKind,
    ReservationState,
    StockReservation,
    SubOrder,
)
from orders.status import OrderStatus
from yipin import clock, outbox
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l
from yipin.money import format_fen


def lock_order(session: Session, order_id: int) -> Order:
    """The order, its sub-orders, lines and payments, with the order row locked."""
    order = session.scalars(
        sa.select(Order)
        .where(Order.id == order_id)
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
        .options(
            selectinload(Order.sub_orders).selectinload(SubOrder.lines),
            selectinload(Order.payments),
        )
    ).one_or_none()
    if order is None:
        raise NotFound(field="order_id")
    return order


def _reservations(session: Session, order: Order) -> list[StockReservation]:
    ids = [line.id for sub in order.sub_orders for line in sub.lines]
    return list(
        session.scalars(
            sa.select(StockReservation)
            .where(StockReservation.order_line_id.in_(ids))
            .order_by(StockReservation.id)
        )
    )


def _revive(session: Session, order: Order) -> bool:
    """Hold the stock of a cancelled order again (a late payment); False when it is gone."""
    lines: list[OrderLine] = [line for sub in order.sub_orders for line in sub.lines]
    try:
        holds = hold_stock(
            session, [Demand(line.id, line.variant_id, line.quantity) for line in lines]
        )
    except NotEnoughStock:
        return False
    now = clock.now()
    for hold in holds:
        session.add(
            StockReservation(
                order_line_id=hold.key,
                stock_id=hold.stock_id,
                quantity=hold.quantity,
                state=ReservationState.ALLOCATED,
                created_at=now,
                updated_at=now,
            )
        )
    return True


def payment_succeeded(
    session: Session,
    payment: Payment,
    *,
    at: datetime | None = None,
    method: PaymentMethod | None = None,
    actor_id: int | None = None,
) -> str:
    """Apply a successful payment to its order (idempotent). Returns what it did."""
    order = lock_order(session, payment.order_id)  # (refreshes the payment too)
    if payment.status == PaymentStatus.SUCCEEDED:
        return "already applied"
    at = at or clock.now()
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = at
    payment.failure_code = payment.failure_message = None
    if method is not None:
        payment.method = method
    log(
        session,
        order.id,
        OrderEventKind.PAYMENT,
        code="payment_succeeded",
        message=" ".join(x for x in (format_fen(payment.amount_fen), payment.reference or "") if x),
        actor_id=actor_id,
    )
    others = [
        p for p in order.payments if p.id != payment.id and p.status == PaymentStatus.SUCCEEDED
    ]
    if others and payment.sub_order_id is None:
        from orders.refunds import refund_payment

        refund_payment(session, payment, RefundKind.DUPLICATE, "second payment of a paid order")
        session.flush()
        return "duplicate refunded"
    status = OrderStatus(order.status)
    if status == OrderStatus.CANCELLED:
        if not _revive(session, order):
            from orders.refunds import refund_sub_order

            log(
                session,
                order.id,
                OrderEventKind.PAYMENT,
                code="late_payment_refunded",
                message=format_fen(payment.amount_fen),
            )
            session.flush()
            for sub in order.sub_orders:
                refund_sub_order(
                    session,
                    None,
                    sub.id,
                    kind=RefundKind.LATE_PAYMENT,
                    reason="paid after the order was cancelled; the stock was gone",
                )
            return "late payment refunded"
    else:
        for reservation in _reservations(session, order):
            if reservation.state == ReservationState.HELD:
                reservation.state = ReservationState.ALLOCATED
                reservation.expires_at = None
    sub_ids = []
    for sub in order.sub_orders:
        if sub.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED):
            move_sub_order(session, sub, OrderStatus.AWAITING_ROUTING, actor_id=actor_id)
            sub.paid_at = at
        sub_ids.append(sub.id)
    move_order(session, order, OrderStatus.PAID, actor_id=actor_id)
    order.paid_at = at
    order.payment_due_at = None
    if payment.method is not None:
        order.payment_method = payment.method
    session.flush()
    ledger.record_sales(session, sub_ids, at)
    outbox.emit(session, "orders.order_paid", {"order_id": order.id})
    for other in order.payments:  # the buyer's other attempts are void now
        if other.id != payment.id and other.status in (
            PaymentStatus.CREATING,
            PaymentStatus.PENDING,
            PaymentStatus.FAILED,
        ):
            void_payment(session, other)
    session.flush()
    return "applied"


def cash_collected(
    session: Session, payment: Payment, *, actor_id: int | None = None, reference: str = ""
) -> None:
    """The courier collected a cash-on-delivery parcel: that sub-order's lines are sold."""
    if payment.status == PaymentStatus.SUCCEEDED:
        return
    order = lock_order(session, payment.order_id)
    at = clock.now()
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = at
    payment.reference = reference[:80] or payment.reference
    payment.confirmed_by_id = actor_id
    log(
        session,
        order.id,
        OrderEventKind.PAYMENT,
        sub_order_id=payment.sub_order_id,
        code="cash_collected",
        message=format_fen(payment.amount_fen),
        actor_id=actor_id,
    )
    session.flush()
    ledger.record_sales(session, [payment.sub_order_id] if payment.sub_order_id else [], at)
    cod = [p for p in order.payments if p.method == PaymentMethod.COD]
    collected = all(p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED) for p in cod)
    if collected and order.status == OrderStatus.CASH_ON_DELIVERY:
        move_order(session, order, OrderStatus.PAID, actor_id=actor_id)
        order.paid_at = at
        outbox.emit(session, "orders.order_paid", {"order_id": order.id})
    session.flush()


def payment_failed(session: Session, payment: Payment, code: str, message: str) -> str:
    """An attempt failed (card declined, Alipay abandoned): the buyer may try again."""
    lock_order(session, payment.order_id)
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED):
        return "stale"
    payment.status = PaymentStatus.FAILED
    payment.failure_code = (code or "")[:60] or None
    payment.failure_message = (message or "")[:300] or None
    log(
        session,
        payment.order_id,
        OrderEventKind.PAYMENT,
        code="payment_failed",
        message=(message or code or "")[:300],
    )
    session.flush()
    return "applied"


def payment_processing(session: Session, payment: Payment) -> str:
    lock_order(session, payment.order_id)
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED):
        return "stale"
    payment.status = PaymentStatus.PROCESSING
    session.flush()
    return "applied"


def payment_cancelled(session: Session, payment: Payment) -> str:
    lock_order(session, payment.order_id)
    if payment.status == PaymentStatus.SUCCEEDED:
        return "stale"
    if payment.status != PaymentStatus.CANCELLED:
        payment.status = PaymentStatus.CANCELLED
        payment.cancelled_at = clock.now()
        session.flush()
    return "applied"


def void_payment(session: Session, payment: Payment) -> None:
    """Stop an open payment (the order was paid another way, or cancelled): a Stripe intent is
    cancelled at Stripe by an outbox job."""
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED):
        return
    payment.status = PaymentStatus.CANCELLED
    payment.cancelled_at = clock.now()
    if payment.provider == PaymentProvider.STRIPE and payment.provider_ref:
        outbox.emit(session, "orders.intent_to_void", {"payment_id": payment.id})


# ----------------------------------------------------------------------------- offline


def confirm_bank_transfer(
    session: Session, actor: User, payment_id: int, reference: str, amount_fen: int
) -> Payment:
    """An operator saw the 对公转账 arrive: the bank reference and the amount received."""
    if actor.role != Role.OPERATOR:
        raise Forbidden()
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(field="payment_id")
    if payment.method != PaymentMethod.BANK_TRANSFER:
        raise PaymentMethodUnavailable(field="payment_id")
    reference = (reference or "").strip()
    if not 4 <= len(reference) <= 80:
        raise AfterSalesInvalid(_l("Give the bank reference of the transfer."), field="reference")
    if isinstance(amount_fen, bool) or amount_fen != payment.amount_fen:
        raise AfterSalesInvalid(
            _l("The amount received must be %(amount)s.", amount=format_fen(payment.amount_fen)),
            field="amount_fen",
        )
    if payment.status == PaymentStatus.SUCCEEDED:
        return payment
    payment.reference = reference
    payment.confirmed_by_id = actor.id
    payment_succeeded(session, payment, actor_id=actor.id)
    return payment


def switch_to_bank_transfer(session: Session, actor: User, order_id: int) -> Payment:
    """The buyer pays an unpaid order by 对公转账 instead (Stripe unreachable, or preferred):
    open attempts are voided; the payment time becomes the bank-transfer one."""
    from datetime import timedelta

    from orders.settings import setting

    order = lock_order(session, order_id)
    if order.consumer_id != actor.id:
        raise NotFound(field="order_id")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentMethodUnavailable(field="order_id")
    for payment in order.payments:
        if payment.method == PaymentMethod.BANK_TRANSFER and payment.is_open:
            return payment
    for payment in order.payments:
        void_payment(session, payment)
    payment = Payment(
        order_id=order.id,
        provider=PaymentProvider.OFFLINE,
        method=PaymentMethod.BANK_TRANSFER,
        offered_methods=[PaymentMethod.BANK_TRANSFER.value],
        status=PaymentStatus.PENDING,
        amount_fen=order.total_fen,
    )
    session.add(payment)
    order.payment_method = PaymentMethod.BANK_TRANSFER
    due = clock.now() + timedelta(hours=setting("ORDER_BANK_TRANSFER_HOURS"))
    order.payment_due_at = due
    session.execute(
        sa.update(StockReservation)
        .where(
            StockReservation.order_line_id.in_(
                [line.id for sub in order.sub_orders for line in sub.lines]
            ),
            StockReservation.state == ReservationState.HELD,
        )
        .values(expires_at=due)
        .execution_options(synchronize_session=False)
    )
    log(session, order.id, OrderEventKind.PAYMENT, code="bank_transfer_chosen", actor_id=actor.id)
    session.flush()
    return payment


def new_online_payment(session: Session, actor: User, order_id: int) -> Payment:
    """A fresh Stripe attempt for an unpaid order (the last one failed or was voided)."""
    order = lock_order(session, order_id)
    if order.consumer_id != actor.id:
        raise NotFound(field="order_id")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentMethodUnavailable(field="order_id")
    for payment in order.payments:
        if payment.provider == PaymentProvider.STRIPE and payment.status in (
            PaymentStatus.CREATING,
            PaymentStatus.PENDING,
            PaymentStatus.PROCESSING,
        ):
            return payment
    payment = Payment(
        order_id=order.id,
        provider=PaymentProvider.STRIPE,
        offered_methods=["card", "alipay", "wechat_pay"],
        status=PaymentStatus.CREATING,
        amount_fen=order.total_fen,
    )
    session.add(payment)
    session.flush()
    return payment
