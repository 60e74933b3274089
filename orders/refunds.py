"""Refunds (退款): full or partial, per sub-order, through the method that paid.

A refund is written ``pending`` with how much goes back on each line and on shipping; a Stripe
payment is then refunded by an outbox job (``orders.refund_to_send``: idempotency key per refund,
so a retried job never refunds twice); a bank transfer or cash on delivery is paid back by an
operator who records the bank reference. When the money is back (``refund_succeeded``) the amounts
are added up on the lines, the sub-order, the order and the payment, the sales ledger gets its
reversing entries, and the sub-order moves to partly refunded or refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from orders import ledger
from orders.errors import AfterSalesInvalid, RefundTooLarge
from orders.lifecycle import log, move_sub_order, resettle
from orders.models import (
    Order,
    OrderEventKind,
    OrderLine,
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
    SubOrder,
)
from orders.status import BEFORE_SHIPMENT, OrderStatus
from yipin import clock, outbox
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l
from yipin.money import format_fen


@dataclass(frozen=True)
class LineRefund:
    line_id: int
    amount_fen: int
    quantity: int = 0  # units returned or not sent (0: money only)


def paying_payment(sub: SubOrder) -> Payment | None:
    """The payment that paid this sub-order: its own cash on delivery, or the order's."""
    for payment in sub.order.payments:
        if payment.status != PaymentStatus.SUCCEEDED:
            continue
        if payment.sub_order_id in (None, sub.id):
            return payment
    return None


def pending_fen(sub: SubOrder) -> int:
    return sum(r.amount_fen for r in sub.refunds if r.status == RefundStatus.PENDING)


def _line_pending(sub: SubOrder) -> dict[int, tuple[int, int]]:
    """Per line: (amount, units) of refunds still pending."""
    out: dict[int, tuple[int, int]] = {}
    for refund in sub.refunds:
        if refund.status != RefundStatus.PENDING:
            continue
        for rl in refund.lines:
            amount, units = out.get(rl.order_line_id, (0, 0))
            out[rl.order_line_id] = (amount + rl.amount_fen, units + rl.quantity)
    return out


def refundable_fen(sub: SubOrder) -> int:
    return max(0, sub.total_fen - sub.refunded_fen - pending_fen(sub))


def _shipping_refunded(sub: SubOrder) -> int:
    return sum(r.shipping_fen for r in sub.refunds if r.status != RefundStatus.FAILED)


def allocate(sub: SubOrder, amount_fen: int) -> tuple[list[LineRefund], int]:
    """Split an amount over the lines (in proportion to what is left of each, largest remainder
    first), the rest (beyond the goods) on shipping."""
    pending = _line_pending(sub)
    left = {
        line.id: line.total_fen - line.refunded_fen - pending.get(line.id, (0, 0))[0]
        for line in sub.lines
    }
    goods_left = sum(max(0, v) for v in left.values())
    goods = min(amount_fen, goods_left)
    shipping = amount_fen - goods
    if goods_left == 0:
        return [], shipping
    shares = {lid: goods * max(0, v) // goods_left for lid, v in left.items()}
    remainder = goods - sum(shares.values())
    order = sorted(left, key=lambda lid: (-(goods * max(0, left[lid]) % goods_left), lid))
    for lid in order[:remainder]:
        shares[lid] += 1
    return [LineRefund(lid, amt) for lid, amt in shares.items() if amt > 0], shipping


def everything_left(sub: SubOrder) -> tuple[list[LineRefund], int]:
    """What is left of each line, units and money, and of shipping (a cancellation: the goods
    were never sold)."""
    pending = _line_pending(sub)
    lines = []
    for line in sub.lines:
        amount, units = pending.get(line.id, (0, 0))
        lines.append(
            LineRefund(
                line.id,
                line.total_fen - line.refunded_fen - amount,
                line.quantity - line.returned_quantity - units,
            )
        )
    return [x for x in lines if x.amount_fen or x.quantity], sub.shipping_fen - _shipping_refunded(
        sub
    )


def _sub_order(session: Session, sub_order_id: int) -> SubOrder:
    sub = session.scalars(
        sa.select(SubOrder)
        .where(SubOrder.id == sub_order_id)
        .options(
            selectinload(SubOrder.lines),
            selectinload(SubOrder.refunds).selectinload(Refund.lines),
        )
        .with_for_update(of=SubOrder)
    ).one_or_none()
    if sub is None:
        raise NotFound(field="sub_order_id")
    return sub


def _may_refund(actor: User | None, sub: SubOrder) -> None:
    if actor is None or actor.role == Role.OPERATOR:
        return
    if actor.role == Role.SUPPLIER and actor.supplier_id == sub.supplier_id:
        return
    if actor.role == Role.SUPPLIER:
        raise NotFound(field="sub_order_id")
    raise Forbidden()


def refund_sub_order(
    session: Session,
    actor: User | None,
    sub_order_id: int,
    *,
    kind: RefundKind,
    reason: str = "",
    amount_fen: int | None = None,
    lines: list[LineRefund] | None = None,
    shipping_fen: int = 0,
    offline_reference: str | None = None,
) -> Refund:
    """Give money back on a sub-order: ``amount_fen`` (split over the lines), or explicit
    ``lines`` (+ ``shipping_fen``); ``None`` for both refunds everything that is left.

    Operators refund any sub-order, supplier staff their own; ``actor`` None is the system
    (cancellations, claims and returns approved through their own actions)."""
    sub = _sub_order(session, sub_order_id)
    _may_refund(actor, sub)
    payment = paying_payment(sub)
    if payment is None:
        raise AfterSalesInvalid(_l("Nothing was paid for this parcel yet."), field="sub_order_id")
    left = refundable_fen(sub)
    if (
        lines is None
        and amount_fen is None
        and kind
        in (
            RefundKind.CANCELLATION,
            RefundKind.LATE_PAYMENT,
        )
    ):
        lines, shipping_fen = everything_left(sub)
    if lines is None:
        if amount_fen is None:
            amount_fen = left
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise AfterSalesInvalid(_l("Give an amount of at least ¥0.01."), field="amount_fen")
        if amount_fen > left:
            raise RefundTooLarge(left=format_fen(left), field="amount_fen")
        lines, shipping_fen = allocate(sub, amount_fen)
    else:
        pending = _line_pending(sub)
        by_id = {line.id: line for line in sub.lines}
        for item in lines:
            line = by_id.get(item.line_id)
            if line is None:
                raise NotFound(field="line_id")
            done_fen, done_units = pending.get(line.id, (0, 0))
            line_left = line.total_fen - line.refunded_fen - done_fen
            if item.amount_fen < 0 or item.amount_fen > line_left:
                raise RefundTooLarge(left=format_fen(line_left), field="lines")
            if (
                item.quantity < 0
                or item.quantity > line.quantity - line.returned_quantity - done_units
            ):
                raise AfterSalesInvalid(_l("More units than the line has."), field="lines")
        shipping_left = sub.shipping_fen - _shipping_refunded(sub)
        if shipping_fen < 0 or shipping_fen > shipping_left:
            raise RefundTooLarge(left=format_fen(shipping_left), field="shipping_fen")
        amount_fen = sum(item.amount_fen for item in lines) + shipping_fen
        if amount_fen <= 0:
            raise AfterSalesInvalid(_l("Give an amount of at least ¥0.01."), field="amount_fen")
        if amount_fen > left:
            raise RefundTooLarge(left=format_fen(left), field="amount_fen")
    refund = Refund(
        order_id=sub.order_id,
        sub_order_id=sub.id,
        payment_id=payment.id,
        kind=kind,
        status=RefundStatus.PENDING,
        amount_fen=amount_fen,
        goods_fen=amount_fen - shipping_fen,
        shipping_fen=shipping_fen,
        reason=" ".join((reason or "").split())[:300],
        requested_by_id=actor.id if actor else None,
        created_at=clock.now(),
        lines=[
            RefundLine(order_line_id=i.line_id, quantity=i.quantity, amount_fen=i.amount_fen)
            for i in lines
        ],
    )
    session.add(refund)
    sub.refunds.append(refund)
    session.flush()
    log(
        session,
        sub.order_id,
        OrderEventKind.REFUND,
        sub_order_id=sub.id,
        code="refund_requested",
        message=f"{format_fen(amount_fen)} {refund.reason}".strip(),
        actor_id=actor.id if actor else None,
    )
    _send(session, refund, payment, offline_reference)
    return refund


def _send(
    session: Session, refund: Refund, payment: Payment, offline_reference: str | None
) -> None:
    if payment.provider == PaymentProvider.STRIPE:
        outbox.emit(session, "orders.refund_to_send", {"refund_id": refund.id})
    elif offline_reference:
        refund.reference = offline_reference.strip()[:80]
        refund_succeeded(session, refund)
    session.flush()


def refund_payment(session: Session, payment: Payment, kind: RefundKind, reason: str) -> Refund:
    """Give a whole payment back that paid for nothing (a second payment of a paid order)."""
    refund = Refund(
        order_id=payment.order_id,
        sub_order_id=None,
        payment_id=payment.id,
        kind=kind,
        amount_fen=payment.amount_fen - payment.refunded_fen,
        reason=reason,
        created_at=clock.now(),
    )
    session.add(refund)
    session.flush()
    log(
        session,
        payment.order_id,
        OrderEventKind.REFUND,
        code="refund_requested",
        message=format_fen(refund.amount_fen),
    )
    _send(session, refund, payment, None)
    return refund


def refund_succeeded(
    session: Session, refund: Refund, *, at: datetime | None = None, actor_id: int | None = None
) -> None:
    """The money is back: add it up, reverse the ledger, move the sub-order (idempotent)."""
    if refund.status == RefundStatus.SUCCEEDED:
        return
    at = at or clock.now()
    refund.status = RefundStatus.SUCCEEDED
    refund.succeeded_at = at
    payment = refund.payment
    if payment is not None:
        payment.refunded_fen += refund.amount_fen
    sub = refund.sub_order
    if sub is not None:
        for rl in refund.lines:
            line: OrderLine = rl.line
            line.refunded_fen += rl.amount_fen
            line.returned_quantity += rl.quantity
        sub.refunded_fen += refund.amount_fen
        order: Order = sub.order
        order.refunded_fen += refund.amount_fen
        session.flush()
        ledger.record_reversal(session, refund, at)
        status = OrderStatus(sub.status)
        if sub.refunded_fen >= sub.total_fen:
            if status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, *BEFORE_SHIPMENT):
                move_sub_order(session, sub, OrderStatus.REFUNDED, actor_id=actor_id)
        elif status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            move_sub_order(session, sub, OrderStatus.PARTLY_REFUNDED, actor_id=actor_id)
        resettle(session, order, actor_id=actor_id)
    log(
        session,
        refund.order_id,
        OrderEventKind.REFUND,
        sub_order_id=refund.sub_order_id,
        code="refund_succeeded",
        message=" ".join(x for x in (format_fen(refund.amount_fen), refund.reference or "") if x),
        actor_id=actor_id,
    )
    session.flush()


def refund_failed(session: Session, refund: Refund, message: str) -> None:
    if refund.status != RefundStatus.PENDING:
        return
    refund.status = RefundStatus.FAILED
    refund.failure_message = message[:300]
    log(
        session,
        refund.order_id,
        OrderEventKind.REFUND,
        sub_order_id=refund.sub_order_id,
        code="refund_failed",
        message=message[:300],
    )
    session.flush()


def record_offline_refund(session: Session, actor: User, refund_id: int, reference: str) -> Refund:
    """An operator paid a refund back by bank transfer (or cash): record the reference."""
    if actor.role != Role.OPERATOR:
        raise Forbidden()
    refund = session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(field="refund_id")
    if refund.payment is not None and refund.payment.provider == PaymentProvider.STRIPE:
        raise AfterSalesInvalid(_l("Stripe refunds are made by Stripe."), field="refund_id")
    reference = (reference or "").strip()
    if not 4 <= len(reference) <= 80:
        raise AfterSalesInvalid(_l("Give the bank reference of the transfer."), field="reference")
    if refund.status != RefundStatus.PENDING:
        raise AfterSalesInvalid(_l("This refund is not waiting for a transfer."), field="refund_id")
    refund.reference = reference
    refund_succeeded(session, refund, actor_id=actor.id)
    return refund
