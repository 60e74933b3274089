"""Marshmallow schemas of the cart, checkout, orders, payments and after-sales API.

Inputs are strict: ids, quantities and amounts of fen are integers (``"3"`` or ``3.0`` is
refused with 422), amounts are never negative, text has a length limit. Money is integer fen.
"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, validate

from orders.models import (
    BuyerType,
    BuyerTypeBasis,
    ClaimStatus,
    LedgerEntryKind,
    OrderEventKind,
    OrderStatus,
    PaymentMethod,
    PaymentProvider,
    PaymentStatus,
    RefundKind,
    RefundStatus,
    ReturnReason,
    ReturnStatus,
)
from orders.status import status_label
from yipin import fields
from yipin.api import Pattern
from yipin.contact import PhoneNumber

MAX_FEN = 100_000_000  # ¥1,000,000: more than any order here


def Id(**kw: Any) -> fields.Integer:
    return fields.Id(**kw)


def QueryId(**kw: Any) -> fields.Integer:
    """An id in the query string (text there by nature; still an integer, never a float)."""
    return fields.Id(**kw)


def Fen(**kw: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_FEN), **kw)


def Units(**kw: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=9999), **kw)


# ----------------------------------------------------------------------------- errors


class BuyerPersonal(fields.Personal):
    """Text about the buyer or the recipient of an order: shown to those who may see people
    (operators, the supplier staff whose parcel it is) and to the buyer themself; None to
    anybody else (bureau staff read statistics, not people)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        from flask_login import current_user

        order = getattr(obj, "order", obj)
        owner = getattr(order, "owner_user_id", None)
        if (
            value is not None
            and owner is not None
            and getattr(current_user, "is_authenticated", False)
            and owner == current_user.id
        ):
            return fields.String._serialize(self, value, attr, obj, **kwargs)
        return super()._serialize(value, attr, obj, **kwargs)


# ----------------------------------------------------------------------------- cart


class CartItemSchema(Schema):
    line_id = fields.Int(attribute="line.id")
    variant_id = fields.Int(attribute="variant.id")
    product_id = fields.Int(attribute="product.id")
    product_name = fields.Str(attribute="product.name")
    spec = fields.Str(attribute="variant.spec")
    quantity = fields.Int(attribute="line.quantity")
    price_fen = fields.Int()
    price_seen_fen = fields.Int(attribute="line.price_seen_fen")
    price_changed = fields.Bool()
    total_fen = fields.Int()
    available = fields.Int(metadata={"description": "Units free in open warehouses"})
    max_quantity = fields.Int(
        attribute="limit", metadata={"description": "Most units one order may take now"}
    )
    problem = fields.Str(
        allow_none=True, metadata={"description": "not_for_sale or quantity_unavailable"}
    )


class CartGroupSchema(Schema):
    supplier_id = fields.Int(attribute="supplier.id")
    supplier_name = fields.Str(attribute="supplier.name")
    goods_fen = fields.Int()
    items = fields.List(fields.Nested(CartItemSchema))


class CartSchema(Schema):
    groups = fields.List(fields.Nested(CartGroupSchema))
    units = fields.Int()
    goods_fen = fields.Int()


class CartAddSchema(Schema):
    variant_id = Id(required=True)
    quantity = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=9999))


class CartQuantitySchema(Schema):
    quantity = Units(required=True, metadata={"description": "0 removes the line"})


# ----------------------------------------------------------------------------- checkout


class DestinationSchema(Schema):
    address_id = Id(load_default=None, allow_none=True)
    recipient_name = fields.Str(load_default="", validate=validate.Length(max=60))
    phone = PhoneNumber(mobile_only=True, load_default="")
    region_code = fields.Str(load_default="", validate=Pattern(r"^(\d{2,12})?$"))
    detail = fields.Str(load_default="", validate=validate.Length(max=200))
    pickup_point_id = Id(load_default=None, allow_none=True)


class BuyerSchema(Schema):
    organisation = fields.Bool(load_default=False)
    invoice_requested = fields.Bool(load_default=False)
    invoice_title = fields.Str(
        load_default=None, allow_none=True, validate=validate.Length(max=120)
    )
    uscc = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={"description": "统一社会信用代码 of an organisation"},
    )
    declares_state_owned = fields.Bool(load_default=False)
    procurement_reference = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={"description": "Government procurement plan or contract number (预算单位)"},
    )


class CheckoutSchema(Schema):
    destination = fields.Nested(DestinationSchema, required=True)
    buyer = fields.Nested(BuyerSchema, load_default=dict)
    shipping = fields.Dict(
        keys=fields.Str(validate=Pattern(r"^\d{1,9}$")),
        values=fields.Str(validate=validate.Length(max=30)),
        load_default=dict,
        metadata={"description": "Supplier id → shipping service code (cheapest if missing)"},
    )
    payment_method = fields.Enum(PaymentMethod, by_value=True, load_default=None, allow_none=True)
    note = fields.Str(load_default="", validate=validate.Length(max=200))
    expected_total_fen = Fen(
        load_default=None,
        allow_none=True,
        metadata={"description": "The total the buyer saw; 409 price_changed if it differs"},
    )


class ShippingOptionSchema(Schema):
    service_code = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    cold_chain = fields.Bool()
    allows_cod = fields.Bool()
    days_min = fields.Int()
    days_max = fields.Int()
    fen = fields.Int()
    base_fen = fields.Int()
    surcharge_fen = fields.Int()
    free = fields.Bool()


class ParcelQuoteSchema(Schema):
    supplier_id = fields.Int(attribute="supplier.id")
    supplier_name = fields.Str(attribute="supplier.name")
    goods_fen = fields.Int()
    weight_g = fields.Int()
    storage_class = fields.Str(attribute="storage")
    options = fields.List(fields.Nested(ShippingOptionSchema))
    chosen = fields.Nested(ShippingOptionSchema, allow_none=True)
    shipping_fen = fields.Int()


class QuoteSchema(Schema):
    parcels = fields.List(fields.Nested(ParcelQuoteSchema))
    goods_fen = fields.Int()
    shipping_fen = fields.Int()
    total_fen = fields.Int()
    buyer_type = fields.Function(lambda q: q.buyer.buyer_type.value)
    payment_methods = fields.List(fields.Enum(PaymentMethod, by_value=True))
    destination = fields.Function(
        lambda q: (
            {
                "region_code": q.place.region.code,
                "region_name": q.place.region.full_name,
                "detail": q.place.detail,
                "pickup_point_id": q.place.pickup.id if q.place.pickup else None,
            }
            if q.place
            else None
        )
    )


# ----------------------------------------------------------------------------- orders


def _label(obj: Any) -> str:
    return status_label(obj.status)


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
    status_label = fields.Function(_label)
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
    status_label = fields.Function(_label)
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
    return_url = fields.Url(load_default=None, allow_none=True, validate=validate.Length(max=300))


class BankTransferSchema(Schema):
    reference = fields.Str(required=True, validate=validate.Length(min=4, max=80))
    amount_fen = Fen(required=True)


class ReferenceSchema(Schema):
    reference = fields.Str(required=True, validate=validate.Length(min=4, max=80))


class ReasonSchema(Schema):
    reason = fields.Str(load_default="", validate=validate.Length(max=200))


class RefundLineInputSchema(Schema):
    line_id = Id(required=True)
    amount_fen = Fen(required=True)
    quantity = Units(load_default=0)


class RefundRequestSchema(Schema):
    amount_fen = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_FEN),
        metadata={"description": "Split over the lines; null with no lines: everything left"},
    )
    lines = fields.List(fields.Nested(RefundLineInputSchema), load_default=None, allow_none=True)
    shipping_fen = Fen(load_default=0)
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=300))


class ShipSchema(Schema):
    carrier_name = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    waybill_number = fields.Str(required=True, validate=validate.Length(min=4, max=40))
    batches = fields.Dict(
        keys=fields.Str(validate=Pattern(r"^\d{1,9}$")),
        values=fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=dict,
        metadata={"description": "Order line id → batch id it ships from"},
    )


class ReturnLineInputSchema(Schema):
    line_id = Id(required=True)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=9999))


class ReturnRequestSchema(Schema):
    reason_kind = fields.Enum(ReturnReason, by_value=True, required=True)
    reason = fields.Str(load_default="", validate=validate.Length(max=300))
    lines = fields.List(
        fields.Nested(ReturnLineInputSchema), required=True, validate=validate.Length(min=1)
    )


class ReturnSchema(Schema):
    id = fields.Int()
    sub_order_id = fields.Int()
    reason_kind = fields.Enum(ReturnReason, by_value=True)
    reason = fields.Str()
    status = fields.Enum(ReturnStatus, by_value=True)
    decision_note = fields.Str()
    refund_id = fields.Int(allow_none=True)
    lines = fields.Function(
        lambda r: [{"line_id": x.order_line_id, "quantity": x.quantity} for x in r.lines]
    )
    created_at = fields.DateTime()


class DecisionSchema(Schema):
    approve = fields.Bool(required=True)
    amount_fen = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_FEN)
    )
    note = fields.Str(load_default="", validate=validate.Length(max=300))


class ClaimFormSchema(Schema):
    """A 坏果包赔 claim as multipart/form-data: the line, the units and 1–6 photos."""

    line_id = fields.Id(required=True)
    bad_units = fields.Integer(required=True, validate=validate.Range(min=1, max=9999))
    requested_fen = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_FEN))
    description = fields.Str(load_default="", validate=validate.Length(max=500))
    photos = fields.List(
        Upload(),
        required=True,
        validate=validate.Length(min=1, max=6),
        metadata={"description": "1 to 6 JPEG, PNG or WebP photos"},
    )


class ClaimSchema(Schema):
    id = fields.Int()
    sub_order_id = fields.Int()
    order_line_id = fields.Int()
    bad_units = fields.Int()
    requested_fen = fields.Int()
    approved_fen = fields.Int()
    description = fields.Str()
    status = fields.Enum(ClaimStatus, by_value=True)
    decision_note = fields.Str()
    refund_id = fields.Int(allow_none=True)
    photo_ids = fields.Function(lambda c: [p.image_id for p in c.photos])
    created_at = fields.DateTime()


class ClaimQuerySchema(Schema):
    status = fields.Enum(ClaimStatus, by_value=True)


# ----------------------------------------------------------------------------- addresses


class AddressSchema(Schema):
    id = fields.Int(dump_only=True)
    recipient_name = fields.Str(required=True, validate=validate.Length(min=1, max=60))
    phone = PhoneNumber(mobile_only=True, required=True)
    region_code = fields.Str(required=True, validate=Pattern(r"^\d{6,12}$"))
    region_name = fields.Function(lambda a: a.region.full_name if a.region else "", dump_only=True)
    detail = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    label = fields.Str(load_default="", validate=validate.Length(max=20))
    is_default = fields.Bool(load_default=False)


class PickupPointSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    region_code = fields.Str()
    serves_region_code = fields.Str()
    address_detail = fields.Str()
    opening_hours = fields.Str()
    contact_phone = fields.Str()
    cold_capability = fields.Str()


class PickupQuerySchema(Schema):
    region = fields.Str(required=True, validate=Pattern(r"^\d{6,12}$"))
    storage_class = fields.Str(
        load_default="ambient", validate=validate.OneOf(["ambient", "chilled", "frozen"])
    )


# ----------------------------------------------------------------------------- operators


class ShippingRateSchema(Schema):
    id = fields.Int(dump_only=True)
    service_code = fields.Str(attribute="service.code", dump_only=True)
    service_name = fields.Str(attribute="service.name", dump_only=True)
    province_code = fields.Str(dump_only=True)
    storage_class = fields.Str(dump_only=True)
    first_weight_g = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    first_fen = Fen()
    step_weight_g = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    step_fen = Fen()
    cold_surcharge_fen = Fen()
    free_over_fen = Fen(allow_none=True)
    updated_at = fields.DateTime(dump_only=True)


class ShippingRateUpdateSchema(Schema):
    first_weight_g = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    first_fen = Fen()
    step_weight_g = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    step_fen = Fen()
    cold_surcharge_fen = Fen()
    free_over_fen = Fen(allow_none=True)


class RateQuerySchema(Schema):
    province_code = fields.Str(validate=Pattern(r"^\d{2}$"))
    service = fields.Str(validate=validate.Length(max=30))


class StateOwnedSchema(Schema):
    id = fields.Int(dump_only=True)
    uscc = fields.Str(required=True, validate=validate.Length(min=18, max=30))
    name = fields.Str(required=True, validate=validate.Length(min=2, max=120))
    note = fields.Str(load_default="", validate=validate.Length(max=200))
    added_at = fields.DateTime(dump_only=True)


class LedgerEntrySchema(Schema):
    id = fields.Int()
    kind = fields.Enum(LedgerEntryKind, by_value=True)
    order_id = fields.Int()
    sub_order_id = fields.Int()
    order_line_id = fields.Int()
    refund_id = fields.Int(allow_none=True)
    reverses_id = fields.Int(allow_none=True)
    supplier_id = fields.Int()
    supplier_county_code = fields.Str()
    origin_region_code = fields.Str()
    origin_county_code = fields.Str()
    origin_township_code = fields.Str(allow_none=True)
    product_id = fields.Int()
    variant_id = fields.Int()
    category_id = fields.Int()
    brand_id = fields.Int(allow_none=True)
    buyer_type = fields.Enum(BuyerType, by_value=True)
    buyer_type_basis = fields.Enum(BuyerTypeBasis, by_value=True)
    destination_region_code = fields.Str()
    destination_province_code = fields.Str()
    platform_region_code = fields.Str()
    is_upward = fields.Bool(metadata={"description": "上行: sent out of the platform region"})
    quantity = fields.Int()
    amount_fen = fields.Int()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()


class LedgerQuerySchema(Schema):
    supplier_id = QueryId()
    kind = fields.Enum(LedgerEntryKind, by_value=True)
    occurred_from = fields.Date()
    occurred_to = fields.Date()
    after_id = fields.Integer(
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "Entries after this id (for incremental readers)"},
    )
