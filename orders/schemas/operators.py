"""Operators' API: shipping rates, state-owned buyers and the ledger."""

from __future__ import annotations

from marshmallow import Schema, validate

from orders.models import (
    BuyerType,
    BuyerTypeBasis,
    LedgerEntryKind,
)
from orders.schemas.common import Fen, QueryId
from yipin import fields
from yipin.api import Pattern

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
