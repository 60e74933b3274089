"""After sales: refund and return requests, shipping a sub-order, decisions and claims (理赔)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, validate

from orders.models import (
    ClaimStatus,
    ReturnReason,
    ReturnStatus,
)
from orders.schemas.common import MAX_FEN, Fen, Id, Units
from yipin import fields


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


class ShipBatchSchema(Schema):
    line_id = Id(required=True)
    batch_id = Id(required=True)


class ShipSchema(Schema):
    carrier_name = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    waybill_number = fields.Str(required=True, validate=validate.Length(min=4, max=40))
    batches = fields.List(
        fields.Nested(ShipBatchSchema),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "The batch each order line ships from"},
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
