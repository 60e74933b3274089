"""Payments API: a payment's state, server-side confirmation (card / Alipay / WeChat Pay against
Stripe), the operator's bank-transfer confirmation and offline refunds, and Stripe's webhook."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from orders import queries
from orders.api.common import AUTH, PUBLIC, errors
from orders.api.orders import IdempotencyHeader
from orders.errors import PaymentMethodUnavailable, WebhookRefused
from orders.models import PaymentProvider
from orders.payments import flows, service, stripe_gateway, webhooks
from orders.refunds import record_offline_refund
from orders.schemas import (
    BankTransferSchema,
    ConfirmPaymentSchema,
    PaymentSchema,
    ReferenceSchema,
    RefundSchema,
)
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db
from yipin.i18n import _l

blp = Blueprint("payments_api", __name__, description="Payments (支付) and refunds (退款)")


class WebhookReceipt(Schema):
    received = fields.Bool()
    outcome = fields.Str(metadata={"description": "applied, ignored, deferred or duplicate"})


@blp.route("/payments/<int:payment_id>")
class PaymentById(MethodView):
    @blp.response(200, PaymentSchema)
    @errors(blp, *AUTH, 404)
    @role_required(Role.CONSUMER, Role.OPERATOR)
    def get(self, payment_id: int) -> Any:
        """A payment of the caller's order (operators: any)."""
        return queries.payment_for(db.session, actor(), payment_id)


@blp.route("/payments/<int:payment_id>/confirm")
class ConfirmPayment(MethodView):
    @blp.arguments(IdempotencyHeader, location="headers")
    @blp.arguments(ConfirmPaymentSchema)
    @blp.response(200, PaymentSchema)
    @errors(blp, *AUTH, 404, 409, 422, 503)
    @role_required(Role.CONSUMER)
    def post(self, headers: dict[str, Any], data: dict[str, Any], payment_id: int) -> Any:
        """Confirm the PaymentIntent server-side with a method of the given type (a card's
        PaymentMethod id from a native SDK; Alipay and WeChat Pay answer with the URL the
        buyer visits next). The webhook, not this answer, marks the order paid."""
        payment = queries.payment_for(db.session, actor(), payment_id)
        if payment.provider != PaymentProvider.STRIPE or not stripe_gateway.enabled():
            raise PaymentMethodUnavailable(field="payment_id")
        if not payment.is_open:
            raise PaymentMethodUnavailable(field="payment_id")
        payment, url = flows.confirm_intent(
            payment.id,
            data["method"],
            headers.get("key") or uuid.uuid4().hex,
            payment_method_id=data.get("payment_method_id"),
            return_url=data.get("return_url"),
        )
        payment.next_action_url = url
        return payment


@blp.route("/payments/<int:payment_id>/bank-transfer")
class ConfirmBankTransfer(MethodView):
    @blp.arguments(BankTransferSchema)
    @blp.response(200, PaymentSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(Role.OPERATOR)
    def post(self, data: dict[str, Any], payment_id: int) -> Any:
        """Operators: the 对公转账 arrived (bank reference, amount received): the order is paid."""
        payment = service.confirm_bank_transfer(
            db.session, actor(), payment_id, data["reference"], data["amount_fen"]
        )
        commit()
        return payment


@blp.route("/refunds/<int:refund_id>")
class RefundById(MethodView):
    @blp.response(200, RefundSchema)
    @errors(blp, *AUTH, 404)
    @role_required(Role.CONSUMER, Role.SUPPLIER, Role.OPERATOR)
    def get(self, refund_id: int) -> Any:
        """A refund of the caller's order or supplier (operators: any)."""
        return queries.refund_for(db.session, actor(), refund_id)


@blp.route("/refunds/<int:refund_id>/bank-transfer")
class RecordOfflineRefund(MethodView):
    @blp.arguments(ReferenceSchema)
    @blp.response(200, RefundSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(Role.OPERATOR)
    def post(self, data: dict[str, Any], refund_id: int) -> Any:
        """Operators: a refund of a bank-transfer or cash payment was paid back (reference)."""
        refund = record_offline_refund(db.session, actor(), refund_id, data["reference"])
        commit()
        return refund


@blp.route("/payments/stripe/webhook")
class StripeWebhook(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.response(200, WebhookReceipt)
    @errors(blp, 400, 404)
    def post(self) -> Any:
        """Stripe's events (signature and timestamp verified: 400 otherwise). Each event is
        stored and applied once, whatever is redelivered and in whatever order."""
        secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
        if not secret:
            raise WebhookRefused(why=_l("payments by Stripe are not configured."), status=404)
        try:
            event = stripe_gateway.verify_event(
                request.get_data(cache=False), request.headers.get("Stripe-Signature"), secret
            )
        except stripe_gateway.SignatureError as exc:
            raise WebhookRefused(why=exc.reason) from None
        _row, outcome = webhooks.receive(db.session, event)
        commit()
        return {"received": True, "outcome": outcome}
