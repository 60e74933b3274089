"""The address book and pickup points (自提点)."""

from __future__ import annotations

from marshmallow import Schema, validate

from yipin import fields
from yipin.api import Pattern
from yipin.contact import PhoneNumber

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
