"""Payments API: a payment's state, server-side confirmation (card / Alipay / WeChat Pay against
Stripe), the operator's bank-transfer confirmation and offline refunds, and Stripe's webhook."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema

from orders import queries
from orders.api.common import PROVIDER_DOWN, STATE
from orders.api.orders import IdempotencyHeader
from orders.errors import PaymentMethodUnavailable, WebhookRefused
from orders.models import PaymentProvider
from orders.payments import flows, service, stripe_gateway, webhooks
from orders.refunds import record_offline_refund
from orders.schemas.orders import (
    BankTransferSchema,
    ConfirmPaymentSchema,
    PaymentSchema,
    ReferenceSchema,
    RefundSchema,
)
from yipin import fields
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint
from yipin.db import commit, db
from yipin.i18n import _l

blp = Blueprint("payments_api", __name__, description="Payments and refunds · 支付与退款")


class WebhookReceipt(Schema):
    received = fields.Bool()
    outcome = fields.Str(metadata={"description": "applied, ignored, deferred or duplicate"})


@blp.route("/payments/<int:payment_id>")
class PaymentById(MethodView):
    @blp.response(200, PaymentSchema)
    @blp.login_required(Role.CONSUMER, Role.OPERATOR)
    def get(self, payment_id: int) -> Any:
        """A payment · 支付详情

        A payment of the caller's order (operators: any).

        调用者本人订单的一笔支付（运营人员可查看任意支付）。"""
        return queries.payment_for(db.session, actor(), payment_id)


@blp.route("/payments/<int:payment_id>/confirm")
class ConfirmPayment(MethodView):
    @blp.arguments(IdempotencyHeader, location="headers")
    @blp.arguments(
        ConfirmPaymentSchema,
        example={"method": "alipay", "return_url": "https://example.com/paid"},
    )
    @blp.response(200, PaymentSchema)
    @blp.errors(
        (
            409,
            "The payment is not an open Stripe payment, or Stripe is not configured"
            " · 该支付不是进行中的 Stripe 支付，或未配置 Stripe",
        ),
        PROVIDER_DOWN,
    )
    @blp.login_required(Role.CONSUMER)
    def post(self, headers: dict[str, Any], data: dict[str, Any], payment_id: int) -> Any:
        """Confirm a payment · 确认支付

        Confirm the PaymentIntent server-side with a method of the given type (a card's
        PaymentMethod id from a native SDK; Alipay and WeChat Pay answer with the URL the
        buyer visits next). The webhook, not this answer, marks the order paid.

        在服务器端以指定方式确认 PaymentIntent（银行卡传原生 SDK 的 PaymentMethod id；支付宝和
        微信支付返回买家下一步访问的网址）。订单是否已付款以 Webhook 为准，而非本应答。"""
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
    @blp.arguments(
        BankTransferSchema, example={"reference": "ICBC20261201-0001", "amount_fen": 5980}
    )
    @blp.response(200, PaymentSchema)
    @blp.errors(STATE)
    @blp.rules("The amount received is the payment's amount · 到账金额须等于应付金额")
    @blp.login_required(Role.OPERATOR)
    def post(self, data: dict[str, Any], payment_id: int) -> Any:
        """Confirm a bank transfer · 确认对公转账

        Operators: the 对公转账 arrived (bank reference, amount received): the order is paid.

        运营人员确认对公转账已到账（银行流水号、到账金额），订单即为已支付。"""
        payment = service.confirm_bank_transfer(
            db.session, actor(), payment_id, data["reference"], data["amount_fen"]
        )
        commit()
        return payment


@blp.route("/refunds/<int:refund_id>")
class RefundById(MethodView):
    @blp.response(200, RefundSchema)
    @blp.login_required(Role.CONSUMER, Role.SUPPLIER, Role.OPERATOR)
    def get(self, refund_id: int) -> Any:
        """A refund · 退款详情

        A refund of the caller's order or supplier (operators: any).

        调用者本人订单或本供应商的一笔退款（运营人员可查看任意退款）。"""
        return queries.refund_for(db.session, actor(), refund_id)


@blp.route("/refunds/<int:refund_id>/bank-transfer")
class RecordOfflineRefund(MethodView):
    @blp.arguments(ReferenceSchema, example={"reference": "ICBC20261202-0042"})
    @blp.response(200, RefundSchema)
    @blp.errors(STATE)
    @blp.login_required(Role.OPERATOR)
    def post(self, data: dict[str, Any], refund_id: int) -> Any:
        """Record an offline refund · 登记线下退款

        Operators: a refund of a bank-transfer or cash payment was paid back (its reference).

        运营人员登记对公转账或货到付款的退款已退回（填写流水号）。"""
        refund = record_offline_refund(db.session, actor(), refund_id, data["reference"])
        commit()
        return refund


@blp.route("/payments/stripe/webhook")
class StripeWebhook(MethodView):
    @blp.response(200, WebhookReceipt)
    @blp.rules(
        (
            400,
            "The Stripe-Signature header signs the body with the webhook secret, within 5"
            " minutes · Stripe-Signature 须以 Webhook 密钥对请求体签名，且在 5 分钟内",
        ),
        (404, "Payments by Stripe are configured · 须已配置 Stripe 支付"),
    )
    @blp.public
    def post(self) -> Any:
        """Stripe webhook · Stripe 回调

        Stripe's events (signature and timestamp verified: 400 otherwise). Each event is
        stored and applied once, whatever is redelivered and in whatever order.

        Stripe 的事件通知（校验签名和时间戳，不符返回 400）。每个事件只保存和处理一次，无论
        重复投递或顺序如何。"""
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
