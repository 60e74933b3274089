"""Marshmallow schemas of the warehouses and stock API."""

from __future__ import annotations

from marshmallow import Schema, validate

from catalog.models import StorageClass
from fulfillment.actions import MAX_UNITS
from fulfillment.models import StockMovementKind, WarehouseKind
from yipin import fields
from yipin.api import NOT_BLANK, Pattern
from yipin.contact import PhoneNumber

CODE = r"^ *[A-Za-z0-9][A-Za-z0-9_-]{1,29} *$"  # stored upper case
REGION = r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$"  # a county, township or village


class WarehouseSchema(Schema):
    id = fields.Int(dump_only=True)
    code = fields.Str()
    name = fields.Str()
    kind = fields.Enum(WarehouseKind, by_value=True)
    region_code = fields.Str()
    region_name = fields.Function(lambda w: w.region.full_name if w.region else None)
    address_detail = fields.Str()
    cold_capability = fields.Enum(StorageClass, by_value=True)
    supplier_id = fields.Int(allow_none=True)
    platform_run = fields.Bool(attribute="is_platform_run")
    contact_name = fields.Personal(allow_none=True)
    contact_phone = fields.Personal(allow_none=True)
    is_active = fields.Bool()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class WarehouseWithTotalsSchema(WarehouseSchema):
    on_hand = fields.Int(metadata={"description": "Units on hand (supplier staff: their own)."})
    reserved = fields.Int()
    available = fields.Int()
    skus = fields.Int(metadata={"description": "Variants with units on hand."})


class WarehouseCreateSchema(Schema):
    code = fields.Str(
        required=True,
        validate=Pattern(CODE),
        metadata={
            "description": "2 to 30 letters, digits, - or _ · 仓库编码",
            "example": "XW-ORIGIN-01",
        },
    )
    name = fields.Str(required=True, validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)])
    kind = fields.Enum(WarehouseKind, by_value=True, required=True)
    region_code = fields.Str(
        required=True,
        validate=Pattern(REGION),
        metadata={"description": "County, township or village code · 所在县、乡镇或村"},
    )
    cold_capability = fields.Enum(StorageClass, by_value=True, load_default=StorageClass.AMBIENT)
    address_detail = fields.Str(load_default="", validate=validate.Length(max=200))
    contact_name = fields.Str(load_default="", validate=validate.Length(max=60))
    contact_phone = PhoneNumber(load_default="")
    supplier_id = fields.Int(
        load_default=None,
        allow_none=True,
        metadata={"description": "Operators: the supplier that runs it, or null for the platform."},
    )


class WarehouseUpdateSchema(Schema):
    code = fields.Str(validate=Pattern(CODE))
    name = fields.Str(validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)])
    kind = fields.Enum(WarehouseKind, by_value=True)
    region_code = fields.Str(validate=Pattern(REGION))
    cold_capability = fields.Enum(StorageClass, by_value=True)
    address_detail = fields.Str(validate=validate.Length(max=200))
    contact_name = fields.Str(validate=validate.Length(max=60))
    contact_phone = PhoneNumber()
    supplier_id = fields.Int(allow_none=True)
    is_active = fields.Bool(metadata={"description": "false closes the warehouse."})


class WarehouseQuerySchema(Schema):
    county = fields.Str(validate=Pattern(r"^[0-9]{6}$"))
    kind = fields.Enum(WarehouseKind, by_value=True)
    operator = fields.Str(validate=validate.OneOf(["platform", "supplier"]))
    active = fields.Bool()


class StockSchema(Schema):
    id = fields.Int(dump_only=True)
    variant_id = fields.Int()
    warehouse_id = fields.Int()
    warehouse_code = fields.Function(lambda s: s.warehouse.code)
    supplier_id = fields.Int()
    sku = fields.Function(lambda s: s.variant.sku)
    on_hand = fields.Int()
    reserved = fields.Int()
    available = fields.Int()
    updated_at = fields.DateTime()


class StockQuerySchema(Schema):
    warehouse_id = fields.Int()
    variant_id = fields.Int()
    low = fields.Int(
        validate=validate.Range(0, MAX_UNITS),
        metadata={"description": "Only rows with at most this many units available."},
    )


class StockSetSchema(Schema):
    variant_id = fields.Int(required=True)
    warehouse_id = fields.Int(required=True)
    on_hand = fields.Int(required=True, strict=True, validate=validate.Range(0, MAX_UNITS))
    reason = fields.Str(load_default="", validate=validate.Length(max=200))


class StockAdjustmentSchema(Schema):
    variant_id = fields.Int(required=True)
    warehouse_id = fields.Int(required=True)
    delta = fields.Int(
        required=True,
        strict=True,
        validate=[validate.Range(-MAX_UNITS, MAX_UNITS), validate.NoneOf([0])],
        metadata={"not": {"enum": [0]}, "description": "+ received, − removed; not 0"},
    )
    reason = fields.Str(
        required=True, validate=[validate.Length(min=1, max=200), Pattern(NOT_BLANK)]
    )


class StockMovementSchema(Schema):
    id = fields.Int()
    stock_id = fields.Int()
    kind = fields.Enum(StockMovementKind, by_value=True)
    delta = fields.Int()
    on_hand_after = fields.Int()
    reason = fields.Str()
    actor_id = fields.Int(allow_none=True)
    at = fields.DateTime()
