"""Checkout: where it goes, who buys (for the invoice and the ledger), the shipping chosen,
and the quote."""

from __future__ import annotations

from marshmallow import Schema, validate

from orders.models import (
    PaymentMethod,
)
from orders.schemas.common import Fen, Id
from yipin import fields
from yipin.api import Pattern
from yipin.contact import PhoneNumber

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


class ShippingChoiceSchema(Schema):
    supplier_id = Id(required=True)
    service_code = fields.Str(required=True, validate=validate.Length(min=1, max=30))


class CheckoutSchema(Schema):
    destination = fields.Nested(DestinationSchema, required=True)
    buyer = fields.Nested(BuyerSchema, load_default=dict)
    shipping = fields.List(
        fields.Nested(ShippingChoiceSchema),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "The shipping service of a supplier's parcel (cheapest if none)"},
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
