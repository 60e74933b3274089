"""Checkout and orders API: quote, place (idempotent with ``Idempotency-Key``), list, read,
cancel, and start paying an order."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from orders import after_sales, checkout, queries
from orders.api.common import AUTH, errors, page_of
from orders.buyers import BuyerDetails
from orders.errors import CartEmpty, PaymentMethodUnavailable
from orders.models import ONLINE_METHODS, PaymentMethod
from orders.payments import flows, service
from orders.schemas import (
    CheckoutSchema,
    OrderQuerySchema,
    OrderSchema,
    OrderSummarySchema,
    PaymentSchema,
    QuoteSchema,
    ReasonSchema,
    StartPaymentSchema,
)
from orders.web import current_cart, place
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import commit, db

blp = Blueprint("orders_api", __name__, description="Checkout and orders (订单)")


class IdempotencyHeader(Schema):
    key = fields.Str(
        data_key="Idempotency-Key",
        load_default=None,
        validate=validate.Regexp(r"^[\x21-\x7e]{8,80}$"),
        metadata={"description": "Repeat it on a retry: the same order comes back (200)"},
    )


def checkout_request(data: dict[str, Any], key: str | None = None) -> checkout.CheckoutRequest:
    shipping = {int(k): v for k, v in (data.get("shipping") or {}).items()}
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
    @blp.arguments(CheckoutSchema)
    @blp.response(200, QuoteSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(Role.CONSUMER)
    def post(self, data: dict[str, Any]) -> Any:
        """What the cart would cost delivered there: parcels per supplier, shipping options
        (cold chain for chilled and frozen goods), total and the payment methods allowed."""
        return checkout.build_quote(db.session, actor(), _cart(), checkout_request(data))


@blp.route("/orders")
class Orders(MethodView):
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, OrderSummarySchema(many=True))
    @blp.paginate()
    @errors(blp, *AUTH)
    @role_required(Role.CONSUMER, Role.OPERATOR)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """A consumer's own orders; operators search every order (number, phone, name, USCC,
        status, supplier, payment method, buyer type, dates)."""
        return page_of(queries.orders_stmt(actor(), **args), pagination_parameters)

    @blp.arguments(IdempotencyHeader, location="headers")
    @blp.arguments(CheckoutSchema)
    @blp.response(201, OrderSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(Role.CONSUMER)
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Any:
        """Place the cart as an order: stock is reserved, one sub-order per supplier, the
        payment opened (a Stripe PaymentIntent's ``client_secret`` for card / Alipay / WeChat
        Pay). With the same ``Idempotency-Key`` a retry returns the first order (200)."""
        user = actor()
        placed = place(user, _cart(), checkout_request(data, headers.get("key")))
        order = queries.order_for(db.session, user, placed.order.id)
        return (order, 201) if placed.created else (order, 200)


@blp.route("/orders/<int:order_id>")
class OrderById(MethodView):
    @blp.response(200, OrderSchema)
    @errors(blp, *AUTH, 404)
    @role_required(Role.CONSUMER, Role.OPERATOR)
    def get(self, order_id: int) -> Any:
        """One order with its sub-orders, lines, payments, refunds and history."""
        return queries.order_for(db.session, actor(), order_id)


@blp.route("/orders/<int:order_id>/cancel")
class CancelOrder(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, OrderSchema)
    @errors(blp, *AUTH, 404, 409, 422)
    @role_required(Role.CONSUMER, Role.OPERATOR)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Cancel an unpaid order, or what has not shipped of a paid one (refunded in full)."""
        user = actor()
        queries.order_for(db.session, user, order_id)
        after_sales.cancel_order(db.session, user, order_id, data["reason"])
        commit()
        return queries.order_for(db.session, user, order_id)


@blp.route("/orders/<int:order_id>/payments")
class OrderPayments(MethodView):
    @blp.arguments(StartPaymentSchema)
    @blp.response(201, PaymentSchema)
    @errors(blp, *AUTH, 404, 409, 422, 503)
    @role_required(Role.CONSUMER)
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Pay an unpaid order: ``card`` / ``alipay`` / ``wechat_pay`` open a Stripe
        PaymentIntent offering all three (its ``client_secret`` is for Stripe.js);
        ``bank_transfer`` switches to 对公转账 (the reference to quote is the order number)."""
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
