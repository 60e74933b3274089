"""Stripe events: stored once, applied once, converging whatever order they arrive in.

``receive`` inserts the event with ``INSERT … ON CONFLICT DO NOTHING`` on (provider, event id):
the same event delivered ten times at once inserts one row — the other nine wait on the unique
index until the first commits, then find it there and change nothing. Applying locks the order
row, so different events of one payment are applied one after the other.

Convergence: a success is never undone by a failure, a cancellation or "processing" that arrives
after it; a refund or dispute that arrives before the payment's success is kept ``deferred``
and applied right after the success lands. Events are matched to payments by the PaymentIntent
id, or by the ``yipin_payment_id`` / ``yipin_refund_id`` metadata we put on what we create (an
event can overtake the response of the call that created its object).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orders.models import (
    Payment,
    PaymentEvent,
    PaymentEventOutcome,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
)
from orders.payments import service
from orders.refunds import (
    LineRefund,
    allocate,
    refund_failed,
    refund_succeeded,
    refundable_fen,
)
from yipin import clock

Outcome = tuple[PaymentEventOutcome, str]


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def receive(session: Session, event: dict[str, Any]) -> tuple[PaymentEvent | None, str]:
    """Store a verified event and apply it; ``(None, "duplicate")`` if it was seen before."""
    obj = (event.get("data") or {}).get("object") or {}
    created = event.get("created")
    row_id = session.execute(
        _insert(session)(PaymentEvent)
        .values(
            provider=PaymentProvider.STRIPE,
            event_id=str(event.get("id") or "")[:80],
            type=str(event.get("type") or "")[:60],
            object_ref=_object_ref(obj),
            provider_created_at=(
                datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None
            ),
            payload=event,
            received_at=clock.now(),
            note="",
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(PaymentEvent.id)
    ).scalar()
    if row_id is None:
        return None, "duplicate"
    row = session.get(PaymentEvent, row_id)
    assert row is not None
    apply(session, row)
    return row, str(row.outcome)


def _object_ref(obj: dict[str, Any]) -> str | None:
    if obj.get("object") == "payment_intent":
        return str(obj.get("id"))[:80]
    ref = obj.get("payment_intent")
    return str(ref)[:80] if ref else None


def apply(session: Session, row: PaymentEvent) -> None:
    obj = (row.payload.get("data") or {}).get("object") or {}
    handler = HANDLERS.get(row.type)
    if handler is None:
        outcome: Outcome = (PaymentEventOutcome.IGNORED, "not an event we act on")
    else:
        outcome = handler(session, row, obj)
    row.outcome, note = outcome
    row.note = note[:300]
    row.applied_at = clock.now()
    session.flush()


def _payment(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Payment | None:
    ref = row.object_ref
    payment = None
    if ref:
        payment = session.scalars(
            sa.select(Payment).where(Payment.provider_ref == ref)
        ).one_or_none()
    if payment is None:
        meta = obj.get("metadata") or {}
        raw = str(meta.get("yipin_payment_id") or "")
        if raw.isdigit():
            payment = session.get(Payment, int(raw))
            if payment is not None and payment.provider_ref not in (None, ref):
                payment = None  # the metadata points at a payment of another intent
            if payment is not None and payment.provider_ref is None and ref:
                payment.provider_ref = ref
    if payment is not None:
        row.payment_id = payment.id
    return payment


def _method(obj: dict[str, Any]) -> PaymentMethod | None:
    method = obj.get("payment_method")
    kind = method.get("type") if isinstance(method, dict) else None
    if kind is None:
        details = obj.get("payment_method_details")
        kind = details.get("type") if isinstance(details, dict) else None
    if kind is None:
        types = obj.get("payment_method_types") or []
        kind = types[0] if len(types) == 1 else None
    try:
        return PaymentMethod(kind) if kind in ("card", "alipay", "wechat_pay") else None
    except ValueError:
        return None


def _at(row: PaymentEvent) -> datetime:
    return row.provider_created_at or clock.now()


def _not_ours() -> Outcome:
    return PaymentEventOutcome.IGNORED, "no payment of ours"


def on_succeeded(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    amount = obj.get("amount_received") or obj.get("amount")
    currency = str(obj.get("currency") or "").lower()
    if amount != payment.amount_fen or currency != "cny":
        return PaymentEventOutcome.IGNORED, f"amount {amount} {currency} does not match"
    did = service.payment_succeeded(session, payment, at=_at(row), method=_method(obj))
    _replay_deferred(session, payment)
    return PaymentEventOutcome.APPLIED, did


def on_failed(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    error = obj.get("last_payment_error") or {}
    did = service.payment_failed(
        session, payment, str(error.get("code") or "failed"), str(error.get("message") or "")
    )
    return _outcome(did)


def on_processing(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    return _outcome(service.payment_processing(session, payment))


def on_cancelled(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    return _outcome(service.payment_cancelled(session, payment))


def on_charge_succeeded(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    """Only tells which method paid (the success itself comes with the intent's event)."""
    payment = _payment(session, row, obj)
    method = _method(obj)
    if payment is None or method is None or payment.method is not None:
        return PaymentEventOutcome.IGNORED, "nothing to record"
    payment.method = method
    return PaymentEventOutcome.APPLIED, f"method {method.value}"


def _outcome(did: str) -> Outcome:
    if did == "stale":
        return PaymentEventOutcome.IGNORED, "stale: the payment already succeeded or ended"
    return PaymentEventOutcome.APPLIED, did


def _deferred_unless_paid(session: Session, payment: Payment) -> Outcome | None:
    service.lock_order(session, payment.order_id)
    session.refresh(payment)
    if payment.status != PaymentStatus.SUCCEEDED:
        return PaymentEventOutcome.DEFERRED, "waiting for the payment's success"
    return None


def on_refund(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    refund = None
    ref = str(obj.get("id") or "")
    if ref:
        refund = session.scalars(sa.select(Refund).where(Refund.provider_ref == ref)).one_or_none()
    raw = str((obj.get("metadata") or {}).get("yipin_refund_id") or "")
    if refund is None and raw.isdigit():
        refund = session.get(Refund, int(raw))
        if refund is not None and refund.provider_ref is None:
            refund.provider_ref = ref[:80] or None
    status = str(obj.get("status") or "")
    if refund is not None:
        service.lock_order(session, refund.order_id)
        session.refresh(refund)
        if refund.status != RefundStatus.PENDING:
            return PaymentEventOutcome.IGNORED, f"refund already {refund.status}"
        if status == "succeeded":
            refund_succeeded(session, refund, at=_at(row))
            return PaymentEventOutcome.APPLIED, "refund succeeded"
        if status in ("failed", "canceled"):
            refund_failed(session, refund, str(obj.get("failure_reason") or status))
            return PaymentEventOutcome.APPLIED, f"refund {status}"
        return PaymentEventOutcome.IGNORED, f"refund {status}"
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    waiting = _deferred_unless_paid(session, payment)
    if waiting:
        return waiting
    if status != "succeeded":
        return PaymentEventOutcome.IGNORED, f"refund {status} made outside the platform"
    amount = int(obj.get("amount") or 0)
    _outside_refund(session, payment, amount, RefundKind.PARTIAL, ref, "refunded at Stripe", row)
    return PaymentEventOutcome.APPLIED, "refund made at Stripe recorded"


def _outside_refund(
    session: Session,
    payment: Payment,
    amount: int,
    kind: RefundKind,
    ref: str,
    reason: str,
    row: PaymentEvent,
) -> None:
    """Money that went back without us asking (the dashboard, a lost dispute): recorded per
    sub-order, in order, so the ledger reverses it like any refund."""
    order = service.lock_order(session, payment.order_id)
    first = True
    for sub in order.sub_orders:
        if amount <= 0:
            break
        take = min(amount, refundable_fen(sub))
        if take <= 0:
            continue
        lines, shipping = allocate(sub, take)
        refund = Refund(
            order_id=order.id,
            sub_order_id=sub.id,
            payment_id=payment.id,
            kind=kind,
            amount_fen=take,
            goods_fen=take - shipping,
            shipping_fen=shipping,
            reason=reason,
            provider_ref=(ref[:80] or None) if first else None,
            reference=ref[:80] or None,
            created_at=clock.now(),
        )
        refund.lines = _refund_lines(lines)
        session.add(refund)
        sub.refunds.append(refund)
        session.flush()
        refund_succeeded(session, refund, at=_at(row))
        amount -= take
        first = False


def _refund_lines(lines: list[LineRefund]) -> list[Any]:
    from orders.models import RefundLine

    return [RefundLine(order_line_id=i.line_id, amount_fen=i.amount_fen, quantity=0) for i in lines]


def on_dispute_created(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    waiting = _deferred_unless_paid(session, payment)
    if waiting:
        return waiting
    payment.disputed = True
    from orders.lifecycle import log
    from orders.models import OrderEventKind

    log(session, payment.order_id, OrderEventKind.PAYMENT, code="dispute_opened")
    return PaymentEventOutcome.APPLIED, "dispute opened"


def on_dispute_closed(session: Session, row: PaymentEvent, obj: dict[str, Any]) -> Outcome:
    payment = _payment(session, row, obj)
    if payment is None:
        return _not_ours()
    waiting = _deferred_unless_paid(session, payment)
    if waiting:
        return waiting
    from orders.lifecycle import log
    from orders.models import OrderEventKind

    status = str(obj.get("status") or "")
    payment.disputed = False
    log(
        session,
        payment.order_id,
        OrderEventKind.PAYMENT,
        code="dispute_lost" if status == "lost" else "dispute_closed",
    )
    if status == "lost":
        amount = int(obj.get("amount") or 0)
        ref = str(obj.get("id") or "")
        _outside_refund(session, payment, amount, RefundKind.CHARGEBACK, ref, "dispute lost", row)
    return PaymentEventOutcome.APPLIED, f"dispute {status}"


def _replay_deferred(session: Session, payment: Payment) -> None:
    rows = list(
        session.scalars(
            sa.select(PaymentEvent)
            .where(
                sa.or_(
                    PaymentEvent.payment_id == payment.id,
                    PaymentEvent.object_ref == payment.provider_ref,
                ),
                PaymentEvent.outcome == PaymentEventOutcome.DEFERRED,
            )
            .order_by(PaymentEvent.provider_created_at, PaymentEvent.id)
        )
    )
    for deferred in rows:
        apply(session, deferred)


HANDLERS: dict[str, Callable[[Session, PaymentEvent, dict[str, Any]], Outcome]] = {
    "payment_intent.succeeded": on_succeeded,
    "payment_intent.payment_failed": on_failed,
    "payment_intent.processing": on_processing,
    "payment_intent.canceled": on_cancelled,
    "charge.succeeded": on_charge_succeeded,
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "refund.failed": on_refund,
    "charge.refund.updated": on_refund,
    "charge.dispute.created": on_dispute_created,
    "charge.dispute.closed": on_dispute_closed,
}
