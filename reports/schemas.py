"""Marshmallow schemas of the reports API (arguments with the constraints the server enforces,
and every response body)."""

from __future__ import annotations

from marshmallow import Schema, validate

from orders.models import BuyerType
from reports.periods import Grain
from reports.queries import Dimension, Direction
from yipin import fields
from yipin.api import Pattern


class SalesQuerySchema(Schema):
    start = fields.Date(metadata={"description": "First day (Asia/Shanghai), default 1 January"})
    end = fields.Date(metadata={"description": "Last day, included; default today"})
    grain = fields.Enum(Grain, by_value=True, metadata={"description": "Period of the series"})
    group_by = fields.Enum(Dimension, by_value=True)
    county = fields.String(
        validate=Pattern(r"^[0-9]{6}$"),
        metadata={
            "description": "Supplier's county (GB/T 2260) · 供应商所在县",
            "example": "360734",
        },
    )
    township = fields.String(
        validate=Pattern(r"^[0-9]{9}$"),
        metadata={"description": "Origin township · 产地乡镇", "example": "360734100"},
    )
    supplier_id = fields.Id()
    category_id = fields.Id()
    brand_id = fields.Id()
    buyer_type = fields.Enum(BuyerType, by_value=True)
    direction = fields.Enum(Direction, by_value=True, metadata={"description": "upward: 上行 only"})


class RowSchema(Schema):
    key = fields.Raw(allow_none=True, metadata={"description": "code, id or period start"})
    label = fields.String()
    sales_fen = fields.Integer()
    refunds_fen = fields.Integer()
    net_fen = fields.Integer()
    upward_fen = fields.Integer()
    local_fen = fields.Integer()
    quantity = fields.Integer()
    lines = fields.Integer()


class KpiSchema(Schema):
    code = fields.String()
    label = fields.String()
    value = fields.Float(allow_none=True)
    previous = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True, metadata={"description": "relative: 0.1 = +10 %"})
    unit = fields.String(metadata={"description": "fen, count, percent or hours"})
    series = fields.List(fields.List(fields.Raw()))


class SalesReportSchema(Schema):
    scope = fields.String()
    filters = fields.Dict()
    rows = fields.List(fields.Nested(RowSchema))
    total = fields.Nested(RowSchema)
    series = fields.List(fields.Nested(RowSchema))
    kpis = fields.List(fields.Nested(KpiSchema))
    refund_rule = fields.String()


class RewardRowSchema(Schema):
    rule = fields.String()
    subject = fields.String(metadata={"description": "platform, supplier:<id> or base:<id>"})
    name = fields.String()
    county_code = fields.String(allow_none=True)
    basis_fen = fields.Integer()
    award_basis_fen = fields.Integer(allow_none=True)
    excluded_fen = fields.Integer()
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer())
    published_fen = fields.Integer(allow_none=True)
    published_amount_fen = fields.Integer(allow_none=True)
    rank = fields.Integer(allow_none=True)
    cap_fen = fields.Integer(allow_none=True)
    capped = fields.Boolean()
    computed_fen = fields.Integer()
    amount_fen = fields.Integer()
    eligible = fields.Boolean()
    reason = fields.String()


class PolicyRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    name = fields.String()
    document = fields.String()


class RewardReportSchema(Schema):
    year = fields.Integer()
    region = fields.String()
    scope = fields.String()
    policy = fields.Nested(PolicyRefSchema)
    settings = fields.Dict()
    computed_at = fields.String()
    rows = fields.List(fields.Nested(RewardRowSchema))
    total_fen = fields.Integer()
    version = fields.Integer(metadata={"description": "frozen version (absent: live)"})
    signature_valid = fields.Boolean()


class YearPathSchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class SnapshotSchema(Schema):
    year = fields.Integer()
    version = fields.Integer()
    frozen_at = fields.DateTime()
    note = fields.String()
    total_fen = fields.Integer()
    signature_valid = fields.Boolean()


class PayoutSchema(Schema):
    id = fields.Integer()
    amount_fen = fields.Integer()
    bank_reference = fields.String()
    paid_on = fields.Date()


class StatementSchema(Schema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    cycle_start = fields.Date()
    cycle_end = fields.Date()
    sales_fen = fields.Integer()
    refunds_fen = fields.Integer()
    commission_fen = fields.Integer()
    shipping_fen = fields.Integer()
    net_payable_fen = fields.Integer()
    paid_fen = fields.Integer()
    outstanding_fen = fields.Integer()
    status = fields.String()
    details = fields.List(fields.Dict())
    payouts = fields.List(fields.Nested(PayoutSchema))


class StatementQuerySchema(Schema):
    supplier_id = fields.Id()
