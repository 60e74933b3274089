"""Units of work around a call to Stripe: read what the call needs, **commit** (so no row lock
or transaction is held while Stripe answers), call, then record the answer and commit again.

Views, API resources and outbox jobs call these; each is safe to repeat (the idempotency key of
every create call is derived from our row id, so a retry after a timeout gets the same intent or
refund back from Stripe instead of a second one).
"""

from __future__ import annotations

import logging

from orders.errors import PaymentProviderDown
from orders.models import (
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from orders.payments import service, stripe_gateway
from orders.payments.stripe_gateway import GatewayError
from orders.refunds import refund_failed, refund_succeeded
from yipin.db import commit, db

log = logging.getLogger("yipin.payments")


def create_intent(payment_id: int) -> Payment:
    """Make sure a Stripe payment has its PaymentIntent (and client secret)."""
    payment = db.session.get(Payment, payment_id)
    if (
        payment is None
        or payment.provider != PaymentProvider.STRIPE
        or payment.provider_ref is not None
        or payment.status != PaymentStatus.CREATING
        or not stripe_gateway.enabled()
    ):
        return payment  # type: ignore[return-value]
    order = payment.order
    request = {
        "amount_fen": payment.amount_fen,
        "methods": list(payment.offered_methods or ["card", "alipay", "wechat_pay"]),
        "metadata": {
            "yipin_payment_id": str(payment.id),
            "yipin_order_id": str(order.id),
            "order_number": order.number,
        },
        "idempotency_key": payment.stripe_idempotency_key,
    }
    if db.session().in_transaction():
        commit()  # nothing held while Stripe answers
    try:
        intent = stripe_gateway.create_intent(**request)
    except GatewayError as exc:
        log.warning("payment %s: creating the intent failed: %s", payment_id, exc)
        raise PaymentProviderDown() from exc
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    if payment.provider_ref is None:
        payment.provider_ref = intent.id
        payment.client_secret = intent.client_secret
        if payment.status == PaymentStatus.CREATING:
            payment.status = PaymentStatus.PENDING
    commit()
    log.info("payment %s: intent %s for %s fen", payment_id, intent.id, intent.amount_fen)
    return payment


def confirm_intent(
    payment_id: int,
    method: str,
    attempt_key: str,
    *,
    payment_method_id: str | None = None,
    return_url: str | None = None,
) -> tuple[Payment, str | None]:
    """Confirm a PaymentIntent server-side (API clients with a PaymentMethod id, tests); returns
    the payment and the URL the buyer must visit next (Alipay, WeChat Pay), if any.

    ``attempt_key`` identifies this attempt (the client's ``Idempotency-Key``): repeating it
    repeats nothing at Stripe; a new attempt after a decline needs a new key."""
    payment = create_intent(payment_id)
    ref = payment.provider_ref
    key = f"yipin-payment-{payment.id}-confirm-{attempt_key}"
    commit()
    try:
        intent = stripe_gateway.confirm_intent(
            ref or "",
            method,
            key[:255],
            payment_method_id=payment_method_id,
            return_url=return_url,
        )
    except GatewayError as exc:
        if exc.retryable:
            raise PaymentProviderDown() from exc
        payment = db.session.get(Payment, payment_id)
        assert payment is not None
        service.payment_failed(db.session, payment, exc.code or "declined", str(exc))
        commit()
        return payment, None
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    _apply_intent_status(payment, intent)
    commit()
    return payment, intent.next_action_url


def _apply_intent_status(payment: Payment, intent: stripe_gateway.Intent) -> None:
    if intent.amount_fen != payment.amount_fen or intent.currency.lower() != "cny":
        return  # stripe-mock's canned objects, or a mismatch: only a webhook decides then
    if intent.status == "succeeded":
        service.payment_succeeded(db.session, payment)
    elif intent.status == "processing":
        service.payment_processing(db.session, payment)
    elif intent.status == "canceled":
        service.payment_cancelled(db.session, payment)
    elif intent.status == "requires_payment_method" and payment.status == PaymentStatus.PROCESSING:
        service.payment_failed(db.session, payment, "requires_payment_method", "")


def sync_intent(payment_id: int) -> Payment | None:
    """Ask Stripe how the intent stands (a return page, when the webhook is late)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.provider_ref is None or not stripe_gateway.enabled():
        return payment
    ref = payment.provider_ref
    commit()
    try:
        intent = stripe_gateway.retrieve_intent(ref)
    except GatewayError:
        return db.session.get(Payment, payment_id)
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    _apply_intent_status(payment, intent)
    commit()
    return payment


def cancel_intent(payment_id: int) -> None:
    """Cancel a voided payment's intent at Stripe (an outbox job; retried on network errors)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.provider_ref is None or not stripe_gateway.enabled():
        return
    ref, key = payment.provider_ref, f"yipin-payment-{payment.id}-cancel"
    commit()
    try:
        stripe_gateway.cancel_intent(ref, key)
    except GatewayError as exc:
        if exc.retryable:
            raise
        log.info("payment %s: intent %s not cancelled: %s", payment_id, ref, exc)


def send_refund(refund_id: int) -> None:
    """Refund through Stripe (an outbox job). The idempotency key is the refund's: a retried
    job gets Stripe's first answer back, never a second refund."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.status != RefundStatus.PENDING or refund.provider_ref:
        return
    payment = refund.payment
    if payment is None or payment.provider_ref is None:
        return
    request = {
        "intent_id": payment.provider_ref,
        "amount_fen": refund.amount_fen,
        "metadata": {"yipin_refund_id": str(refund.id), "yipin_order_id": str(refund.order_id)},
        "idempotency_key": refund.stripe_idempotency_key,
    }
    commit()
    try:
        result = stripe_gateway.create_refund(**request)
    except GatewayError as exc:
        if exc.retryable:
            raise
        refund = db.session.get(Refund, refund_id)
        assert refund is not None
        service.lock_order(db.session, refund.order_id)
        refund_failed(db.session, refund, str(exc))
        commit()
        return
    refund = db.session.get(Refund, refund_id)
    assert refund is not None
    service.lock_order(db.session, refund.order_id)
    db.session.refresh(refund)
    if refund.provider_ref is None:
        refund.provider_ref = result.id
    if refund.status == RefundStatus.PENDING:
        if result.status == "succeeded":
            refund_succeeded(db.session, refund)
        elif result.status in ("failed", "canceled"):
            refund_failed(db.session, refund, result.status)
    commit()
