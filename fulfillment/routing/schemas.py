"""Marshmallow schemas of the routing API (ids, fen and grams are strict integers)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, ValidationError, validate, validates_schema

from catalog.models import StorageClass
from fulfillment.routing.messages import word
from fulfillment.routing.models import (
    AdapterKind,
    FulfillmentStatus,
    RuleCode,
    ServiceKind,
    ShipmentStatus,
    SlaKind,
    TrackingStatus,
    Zone,
)
from yipin import fields
from yipin.api import Pattern
from yipin.i18n import _l

BEFORE_END = _l("The start must be before the end.")


def Id(**kw: Any) -> fields.Integer:
    return fields.Id(**kw)


def Fen(**kw: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=0, max=10**8 - 1), **kw)


class RoutingNoteSchema(Schema):
    rule = fields.Str()
    code = fields.Str()
    params = fields.Dict()
    text = fields.ComputedStr(
        word, metadata={"description": "In the caller's language · 调用者语言的说明"}
    )


class RoutingDecisionSchema(Schema):
    id = fields.Int()
    sub_order_id = fields.Int()
    outcome = fields.Str(metadata={"description": "routed, unroutable, moved, held, …"})
    chosen = fields.List(fields.Dict())
    reasons = fields.List(fields.Nested(RoutingNoteSchema))
    rejected = fields.List(fields.Nested(RoutingNoteSchema))
    rules = fields.List(fields.Dict())
    actor_id = fields.Int(allow_none=True)
    at = fields.DateTime()


class FulfillmentLineSchema(Schema):
    id = fields.Int()
    order_line_id = fields.Int()
    stock_id = fields.Int()
    variant_id = fields.Int()
    batch_id = fields.Int(allow_none=True)
    quantity = fields.Int()


class ShipmentSchema(Schema):
    id = fields.Int()
    fulfillment_order_id = fields.Int()
    carrier_code = fields.ComputedStr(lambda s: s.carrier.code)
    carrier_name = fields.ComputedStr(lambda s: s.carrier.name)
    waybill_number = fields.Str(allow_none=True)
    status = fields.Enum(ShipmentStatus, by_value=True)
    storage_class = fields.Enum(StorageClass, by_value=True)
    booked_at = fields.DateTime(allow_none=True)
    collected_at = fields.DateTime(allow_none=True)
    out_of_county_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    promised_at = fields.DateTime(allow_none=True)
    last_event_at = fields.DateTime(allow_none=True)
    pickup_code = fields.Str(allow_none=True)


class FulfillmentOrderSchema(Schema):
    id = fields.Int()
    number = fields.Str()
    sub_order_id = fields.Int()
    supplier_id = fields.Int()
    warehouse_id = fields.Int()
    warehouse_code = fields.ComputedStr(lambda f: f.warehouse.code)
    service_id = fields.Int()
    service_code = fields.ComputedStr(lambda f: f.service.code)
    status = fields.Enum(FulfillmentStatus, by_value=True)
    storage_class = fields.Enum(StorageClass, by_value=True)
    weight_g = fields.Int()
    cost_fen = fields.Int()
    promised_days = fields.Int()
    destination_region_code = fields.Str()
    hold_reason = fields.Str()
    routed_on = fields.Str()
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(FulfillmentLineSchema))
    shipment = fields.Nested(ShipmentSchema, allow_none=True)


class FulfillmentQuerySchema(Schema):
    status = fields.Enum(FulfillmentStatus, by_value=True)
    warehouse_id = Id()
    sub_order_id = Id()


class FulfillmentHoldSchema(Schema):
    reason = fields.Str(load_default="", validate=validate.Length(max=200))


class FulfillmentMoveSchema(Schema):
    warehouse_id = Id(required=True)


class FulfillmentSplitLineSchema(Schema):
    line_id = Id(required=True, metadata={"description": "A fulfillment line's id"})
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=9999))


class FulfillmentSplitSchema(Schema):
    lines = fields.List(
        fields.Nested(FulfillmentSplitLineSchema),
        required=True,
        validate=validate.Length(min=1, max=100),
    )


class CarrierChoiceSchema(Schema):
    service_id = Id(required=True)


class WaybillEntrySchema(Schema):
    waybill_number = fields.Str(required=True, validate=validate.Length(min=4, max=40))


class TrackingEventSchema(Schema):
    at = fields.DateTime()
    status = fields.Enum(TrackingStatus, by_value=True)
    description = fields.Str()
    location = fields.Str()
    region_code = fields.Str(allow_none=True)


class CarrierServiceSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    kind = fields.Enum(ServiceKind, by_value=True)
    cold_class = fields.Enum(StorageClass, by_value=True)
    reaches_villages = fields.Bool()
    is_active = fields.Bool()


class CarrierSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    waybill_pattern = fields.Str()
    adapter = fields.Enum(AdapterKind, by_value=True)
    is_active = fields.Bool()
    services = fields.List(fields.Nested(CarrierServiceSchema))


class CarrierUpdateSchema(Schema):
    waybill_pattern = fields.Str(validate=validate.Length(min=2, max=200))
    adapter = fields.Enum(AdapterKind, by_value=True)
    is_active = fields.Bool()


class CarrierRateSchema(Schema):
    id = fields.Int()
    service_id = fields.Int()
    service_code = fields.ComputedStr(lambda r: r.service.code)
    zone = fields.Enum(Zone, by_value=True)
    first_weight_g = fields.Int()
    first_fen = fields.Int()
    step_weight_g = fields.Int()
    step_fen = fields.Int()
    cold_surcharge_fen = fields.Int()
    remote_surcharge_fen = fields.Int()
    promised_days = fields.Int()


class CarrierRateUpdateSchema(Schema):
    first_weight_g = fields.Integer(validate=validate.Range(min=1, max=10**6))
    first_fen = Fen()
    step_weight_g = fields.Integer(validate=validate.Range(min=1, max=10**6))
    step_fen = Fen()
    cold_surcharge_fen = Fen()
    remote_surcharge_fen = Fen()
    promised_days = fields.Integer(validate=validate.Range(min=1, max=60))


class CoverageSchema(Schema):
    carrier_id = Id(required=True)
    region_code = fields.Str(
        required=True, validate=Pattern(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$")
    )
    reaches_villages = fields.Bool(
        required=True,
        allow_none=True,
        metadata={"description": "true: down to villages; false: to townships; null: remove"},
    )


class RoutingRuleSchema(Schema):
    code = fields.Enum(RuleCode, by_value=True, required=True)
    rank = fields.Integer(validate=validate.Range(min=0, max=9999))
    enabled = fields.Bool()


class RoutingRulesSchema(Schema):
    rules = fields.List(
        fields.Nested(RoutingRuleSchema), required=True, validate=validate.Length(min=1, max=20)
    )


class WarehouseRoutingSchema(Schema):
    daily_capacity = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**7 - 1))
    cutoff_time = fields.Str(validate=Pattern(r"^([01]\d|2[0-3]):[0-5]\d$"))
    operator_name = fields.Str(validate=validate.Length(max=120))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    consolidates = fields.Bool()


class WarehouseRoutingOutSchema(WarehouseRoutingSchema):
    id = fields.Int()
    code = fields.Str()


class Kuaidi100CallbackSchema(Schema):
    param = fields.Str(required=True, validate=validate.Length(max=200_000))
    sign = fields.Str(required=True, validate=validate.Length(max=64))


class Kuaidi100AnswerSchema(Schema):
    result = fields.Bool()
    returnCode = fields.Str()
    message = fields.Str()


class ServiceLevelQuerySchema(Schema):
    start = fields.DateTime(required=True)
    end = fields.DateTime(required=True)
    county_code = fields.Str(validate=Pattern(r"^\d{6}$"))

    @validates_schema
    def _in_order(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end:
            aware = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in (start, end)]
            if aware[0] >= aware[1]:
                raise ValidationError(str(BEFORE_END), field_name="end")


class ServiceLevelSchema(Schema):
    out_of_county_within_24h = fields.Int()
    out_of_county_parcels = fields.Int()
    villages_covered = fields.Int()
    villages = fields.Int()
    average_delivery_hours = fields.Float(allow_none=True)


class SlaFlagSchema(Schema):
    id = fields.Int()
    shipment_id = fields.Int()
    kind = fields.Enum(SlaKind, by_value=True)
    raised_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
