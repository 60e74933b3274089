"""Checkout and orders API: quote, place (idempotent with ``Idempotency-Key``), list, read,
cancel, and start paying an order."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema

from orders import after_sales, checkout, queries
from orders.api.common import DATES, PROVIDER_DOWN, STATE
from orders.buyers import BuyerDetails
from orders.errors import CartEmpty, PaymentMethodUnavailable
from orders.models import ONLINE_METHODS, PaymentMethod
from orders.payments import flows, service
from orders.schemas.checkout import (
    CheckoutSchema,
    QuoteSchema,
)
from orders.schemas.orders import (
    OrderQuerySchema,
    OrderSchema,
    OrderSummarySchema,
    PaymentSchema,
    ReasonSchema,
    StartPaymentSchema,
)
from orders.web import current_cart, place
from yipin import fields
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor
from yipin.api import Blueprint, Pattern, page_of
from yipin.db import commit, db

blp = Blueprint("orders_api", __name__, description="Checkout and orders · 结算与订单")

CHECKOUT_EXAMPLE = {
    "destination": {
        "recipient_name": "刘芳",
        "phone": "13907971234",
        "region_code": "360781101",
        "detail": "梅窖镇三僚村 12 号",
    },
    "buyer": {"organisation": False, "invoice_requested": False},
    "shipping": {},
    "payment_method": "bank_transfer",
    "note": "",
}
CHECKOUT_RULES = (
    "The cart holds something on sale (cart_empty, 409) · 购物车须有在售商品",
    "The destination is a saved address of the buyer, a pickup point serving the region, or a"
    " recipient, an 11-digit mobile number and a region down to the county (in Ganzhou: the"
    " township) · 收货地须为本人保存的地址、服务该区划的自提点，或填写收件人、手机号和县级"
    "（赣州市内乡镇级）以下的区划",
    "An organisation gives a valid 统一社会信用代码; an invoice needs a title · 单位买家须填写"
    "有效的统一社会信用代码；开票须填写抬头",
    "The chosen shipping service delivers there; the payment method is offered for this order"
    " · 所选快递服务须可送达；支付方式须适用于本订单",
)
CHECKOUT_CONFLICT = (
    409,
    "The cart is empty, the goods cannot be delivered there, the stock ran out, or the total"
    " is not expected_total_fen (price_changed) · 购物车为空、无法送达、库存不足或总价已变化",
)


class IdempotencyHeader(Schema):
    key = fields.Str(
        data_key="Idempotency-Key",
        validate=Pattern(r"^[\x21-\x7e]{8,80}$"),
        metadata={"description": "Repeat it on a retry: the same order comes back (200)"},
    )


def checkout_request(data: dict[str, Any], key: str | None = None) -> checkout.CheckoutRequest:
    shipping = {x["supplier_id"]: x["service_code"] for x in data.get("shipping") or []}
    return checkout.CheckoutRequest(
        destination=checkout.Destination(**data["destination"]),
        buyer=BuyerDetails(**(data.get("buyer") or {})),
        shipping=shipping,
        payment_method=data.get("payment_method"),
        note=data.get("note") or "",
        expected_total_fen=data.get("expected_total_fen"),
        idempotency_key=key,
    )


def _cart() -> Any:
    cart = current_cart()
    if cart is None:
        raise CartEmpty()
    return cart


@blp.route("/checkout/quote")
class Quote(MethodView):
    @blp.arguments(CheckoutSchema, example=CHECKOUT_EXAMPLE)
    @blp.response(200, QuoteSchema)
    @blp.errors(CHECKOUT_CONFLICT)
    @blp.rules(*CHECKOUT_RULES)
    @blp.login_required(Role.CONSUMER)
    def post(self, data: dict[str, Any]) -> Any:
        """Quote the cart · 结算报价

        What the cart would cost delivered there: parcels per supplier, shipping options
        (cold chain for chilled and frozen goods), the total and the payment methods allowed.

        购物车送到该地的费用：按供应商分包裹、可选快递（冷藏冷冻商品仅冷链）、总价和可用的
        支付方式。"""
        return checkout.build_quote(db.session, actor(), _cart(), checkout_request(data))


@blp.route("/orders")
class Orders(MethodView):
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, OrderSummarySchema(many=True))
    @blp.paginate()
    @blp.rules(DATES)
    @blp.login_required(Role.CONSUMER, Role.OPERATOR)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Orders · 订单列表

        A consumer's own orders; operators search every order (number, phone, name, USCC,
        status, supplier, payment method, buyer type, dates).

        消费者查看自己的订单；运营人员可按订单号、电话、姓名、统一社会信用代码、状态、供应商、
        支付方式、买家类型和日期查询全部订单。"""
        return page_of(queries.orders_stmt(actor(), **args), pagination_parameters)

    @blp.arguments(IdempotencyHeader, location="headers")
    @blp.arguments(CheckoutSchema, example={**CHECKOUT_EXAMPLE, "expected_total_fen": 5980})
    @blp.response(201, OrderSchema)
    @blp.alt_response(
        200,
        schema=OrderSchema,
        description="The same Idempotency-Key again: the order placed first"
        " · 重复的 Idempotency-Key：返回首次创建的订单",
    )
    @blp.errors(CHECKOUT_CONFLICT)
    @blp.rules(*CHECKOUT_RULES)
    @blp.login_required(Role.CONSUMER)
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Any:
        """Place the order · 提交订单

        Place the cart as an order: stock is reserved, one sub-order per supplier, the
        payment opened (a Stripe PaymentIntent's ``client_secret`` for card / Alipay / WeChat
        Pay). With the same ``Idempotency-Key`` a retry returns the first order (200).

        将购物车提交为订单：预留库存，每个供应商一个子订单，并创建支付（银行卡、支付宝、
        微信支付返回 Stripe PaymentIntent 的 ``client_secret``）。相同 ``Idempotency-Key``
        重试时返回首次创建的订单（200）。"""
        user = actor()
        placed = place(user, _cart(), checkout_request(data, headers.get("key")))
        order = queries.order_for(db.session, user, placed.order.id)
        return (order, 201) if placed.created else (order, 200)


@blp.route("/orders/<int:order_id>")
class OrderById(MethodView):
    @blp.response(200, OrderSchema)
    @blp.login_required(Role.CONSUMER, Role.OPERATOR)
    def get(self, order_id: int) -> Any:
        """An order · 订单详情

        One order with its sub-orders, lines, payments, refunds and history (a consumer's
        own; operators any).

        一个订单及其子订单、明细、支付、退款和历史记录（消费者仅限本人订单；运营人员均可）。"""
        return queries.order_for(db.session, actor(), order_id)


@blp.route("/orders/<int:order_id>/cancel")
class CancelOrder(MethodView):
    @blp.arguments(ReasonSchema, example={"reason": "买错了"})
    @blp.response(200, OrderSchema)
    @blp.errors(STATE)
    @blp.login_required(Role.CONSUMER, Role.OPERATOR)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Cancel an order · 取消订单

        Cancel an unpaid order, or what has not shipped of a paid one (refunded in full
        through the paying method).

        取消未支付的订单，或已支付订单中尚未发货的部分（按原支付方式全额退款）。"""
        user = actor()
        queries.order_for(db.session, user, order_id)
        after_sales.cancel_order(db.session, user, order_id, data["reason"])
        commit()
        return queries.order_for(db.session, user, order_id)


@blp.route("/orders/<int:order_id>/payments")
class OrderPayments(MethodView):
    @blp.arguments(StartPaymentSchema, example={"method": "bank_transfer"})
    @blp.response(201, PaymentSchema)
    @blp.errors(
        (
            409,
            "The order is not awaiting payment, or the method is not offered for it"
            " · 订单不在待支付状态，或不支持该支付方式",
        ),
        PROVIDER_DOWN,
    )
    @blp.login_required(Role.CONSUMER)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Pay an order · 支付订单

        Pay an unpaid order: ``card`` / ``alipay`` / ``wechat_pay`` open a Stripe
        PaymentIntent offering all three (its ``client_secret`` is for Stripe.js);
        ``bank_transfer`` switches to 对公转账 (the reference to quote is the order number).

        支付待付款订单：``card``、``alipay``、``wechat_pay`` 创建同时提供三者的 Stripe
        PaymentIntent（``client_secret`` 供 Stripe.js 使用）；``bank_transfer`` 改为对公转账
        （汇款附言填写订单号）。"""
        user = actor()
        queries.order_for(db.session, user, order_id)
        method = data["method"]
        if method in ONLINE_METHODS:
            if not checkout.stripe_enabled():
                raise PaymentMethodUnavailable(field="method")
            payment = service.new_online_payment(db.session, user, order_id)
            commit()
            return flows.create_intent(payment.id)
        if method == PaymentMethod.BANK_TRANSFER:
            payment = service.switch_to_bank_transfer(db.session, user, order_id)
            commit()
            return payment
        raise PaymentMethodUnavailable(field="method")
