"""Orders, sub-orders, payments and their events as the API shows them, and what starts or
confirms a payment."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, validate

from orders.models import (
    BuyerType,
    BuyerTypeBasis,
    OrderEventKind,
    OrderStatus,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    RefundKind,
    RefundStatus,
)
from orders.schemas.common import BuyerPersonal, Fen, QueryId, label
from yipin import fields
from yipin.api import Pattern

# ----------------------------------------------------------------------------- orders


class OrderLineSchema(Schema):
    id = fields.Int()
    variant_id = fields.Int()
    product_name = fields.Str()
    variant_spec = fields.Str()
    variant_sku = fields.Str()
    quantity = fields.Int()
    unit_price_fen = fields.Int()
    total_fen = fields.Int()
    refunded_fen = fields.Int()
    returned_quantity = fields.Int()
    batch_id = fields.Int(allow_none=True, metadata={"description": "Filled in when it ships"})


class RefundLineSchema(Schema):
    order_line_id = fields.Int()
    quantity = fields.Int()
    amount_fen = fields.Int()


class RefundSchema(Schema):
    id = fields.Int()
    order_id = fields.Int()
    sub_order_id = fields.Int(allow_none=True)
    payment_id = fields.Int(allow_none=True)
    kind = fields.Enum(RefundKind, by_value=True)
    status = fields.Enum(RefundStatus, by_value=True)
    amount_fen = fields.Int()
    goods_fen = fields.Int()
    shipping_fen = fields.Int()
    reason = fields.Str()
    reference = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    succeeded_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(RefundLineSchema))


class SubOrderSchema(Schema):
    id = fields.Int()
    number = fields.Str()
    order_id = fields.Int()
    supplier_id = fields.Int()
    supplier_name = fields.Str(attribute="supplier.name")
    status = fields.Enum(OrderStatus, by_value=True)
    status_label = fields.Function(label)
    subtotal_fen = fields.Int()
    shipping_fen = fields.Int()
    total_fen = fields.Int()
    refunded_fen = fields.Int()
    shipping_service_code = fields.Str(allow_none=True)
    shipping_service_name = fields.Str()
    cold_chain = fields.Bool()
    storage_class = fields.Str()
    weight_g = fields.Int()
    carrier_name = fields.Str()
    waybill_number = fields.Str()
    paid_at = fields.DateTime(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema))


class SupplierSubOrderSchema(SubOrderSchema):
    """What a supplier sees of its parcel: where it goes, not who paid how."""

    order_number = fields.Str(attribute="order.number")
    recipient_name = BuyerPersonal(attribute="order.recipient_name")
    recipient_phone = BuyerPersonal(attribute="order.recipient_phone")
    region_code = fields.Str(attribute="order.region_code")
    address_detail = BuyerPersonal(attribute="order.address_detail")
    buyer_type = fields.Enum(BuyerType, by_value=True, attribute="order.buyer_type")
    placed_at = fields.DateTime(attribute="order.placed_at")


class PaymentSchema(Schema):
    id = fields.Int()
    order_id = fields.Int()
    sub_order_id = fields.Int(allow_none=True)
    provider = fields.Enum(PaymentProvider, by_value=True)
    method = fields.Enum(PaymentMethod, by_value=True, allow_none=True)
    offered_methods = fields.List(fields.Str())
    status = fields.Enum(PaymentStatus, by_value=True)
    amount_fen = fields.Int()
    currency = fields.Str()
    refunded_fen = fields.Int()
    provider_ref = fields.Str(allow_none=True, metadata={"description": "PaymentIntent id"})
    client_secret = fields.Str(
        allow_none=True,
        metadata={"description": "For Stripe.js (the buyer's own order only)"},
    )
    reference = fields.Str(allow_none=True)
    failure_code = fields.Str(allow_none=True)
    failure_message = fields.Str(allow_none=True)
    disputed = fields.Bool()
    succeeded_at = fields.DateTime(allow_none=True)
    next_action_url = fields.Str(allow_none=True, dump_default=None)


class OrderEventSchema(Schema):
    id = fields.Int()
    sub_order_id = fields.Int(allow_none=True)
    kind = fields.Enum(OrderEventKind, by_value=True)
    from_status = fields.Enum(OrderStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(OrderStatus, by_value=True, allow_none=True)
    code = fields.Str(metadata={"description": "What happened (placed, payment_succeeded …)"})
    message = fields.Str(metadata={"description": "Details: an amount, a reason"})
    at = fields.DateTime()


class OrderSummarySchema(Schema):
    id = fields.Int()
    number = fields.Str()
    status = fields.Enum(OrderStatus, by_value=True)
    status_label = fields.Function(label)
    total_fen = fields.Int()
    refunded_fen = fields.Int()
    payment_method = fields.Enum(PaymentMethod, by_value=True, allow_none=True)
    buyer_type = fields.Enum(BuyerType, by_value=True)
    placed_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    payment_due_at = fields.DateTime(allow_none=True)


class OrderSchema(OrderSummarySchema):
    consumer_id = fields.Int()
    buyer_type_basis = fields.Enum(BuyerTypeBasis, by_value=True)
    invoice_requested = fields.Bool()
    invoice_title = BuyerPersonal(allow_none=True)
    invoice_uscc = BuyerPersonal(allow_none=True)
    state_owned_declared = fields.Bool()
    procurement_reference = fields.Str(allow_none=True)
    goods_fen = fields.Int()
    shipping_fen = fields.Int()
    recipient_name = BuyerPersonal()
    recipient_phone = BuyerPersonal()
    region_code = fields.Str()
    region_name = fields.Function(lambda o: o.region.full_name if o.region else "")
    address_detail = BuyerPersonal()
    pickup_point_id = fields.Int(allow_none=True)
    note = fields.Str()
    cancel_reason = fields.Str(allow_none=True)
    sub_orders = fields.List(fields.Nested(SubOrderSchema))
    payments = fields.List(fields.Nested(PaymentSchema))
    refunds = fields.Method("_refunds")
    events = fields.List(fields.Nested(OrderEventSchema))

    def _refunds(self, order: Any) -> list[Any]:
        refunds = [r for s in order.sub_orders for r in s.refunds]
        return RefundSchema(many=True).dump(sorted(refunds, key=lambda r: r.id))


class OrderQuerySchema(Schema):
    status = fields.Enum(OrderStatus, by_value=True)
    q = fields.Str(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Operators: order number, phone or recipient"},
    )
    supplier_id = QueryId(
        metadata={"description": "Operators: orders with a parcel of this supplier"}
    )
    payment_method = fields.Enum(PaymentMethod, by_value=True)
    buyer_type = fields.Enum(BuyerType, by_value=True)
    placed_from = fields.Date()
    placed_to = fields.Date()


class SubOrderQuerySchema(Schema):
    status = fields.Enum(OrderStatus, by_value=True)
    supplier_id = QueryId(metadata={"description": "Operators only"})


class StartPaymentSchema(Schema):
    method = fields.Enum(
        PaymentMethod,
        by_value=True,
        required=True,
        metadata={"description": "card/alipay/wechat_pay: a Stripe intent offering all three"},
    )


class ConfirmPaymentSchema(Schema):
    method = fields.Str(required=True, validate=validate.OneOf(["card", "alipay", "wechat_pay"]))
    payment_method_id = fields.Str(
        load_default=None, allow_none=True, validate=Pattern(r"^pm_[A-Za-z0-9_]{1,80}$")
    )
    return_url = fields.Str(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=300), Pattern(r"^https?://[!-~]+$")],
        metadata={"description": "Where Alipay or WeChat Pay sends the buyer back (http(s))"},
    )


class BankTransferSchema(Schema):
    reference = fields.Str(required=True, validate=validate.Length(min=4, max=80))
    amount_fen = Fen(required=True)


class ReferenceSchema(Schema):
    reference = fields.Str(required=True, validate=validate.Length(min=4, max=80))


class ReasonSchema(Schema):
    reason = fields.Str(load_default="", validate=validate.Length(max=200))
