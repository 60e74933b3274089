"""The cart's API: its lines grouped by supplier, adding and changing quantities."""

from __future__ import annotations

from marshmallow import Schema, validate

from orders.schemas.common import Id, Units
from yipin import fields

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
