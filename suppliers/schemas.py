"""Marshmallow schemas of the suppliers API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from suppliers.models import SupplierKind, SupplierStatus


class SupplierSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str()
    kind = fields.Enum(SupplierKind, by_value=True)
    is_leading_enterprise = fields.Bool()
    uscc = fields.Str()
    legal_representative = fields.Str()
    contact_name = fields.Str()
    contact_phone = fields.Str()
    contact_email = fields.Str(allow_none=True)
    region_code = fields.Str()
    region_name = fields.Function(lambda s: s.region.full_name if s.region else None)
    address_detail = fields.Str()
    registered_on = fields.Date()
    introduction = fields.Str()
    status = fields.Enum(SupplierStatus, by_value=True)
    status_reason = fields.Str(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    registered_in_city = fields.Bool()


class SupplierUpdateSchema(Schema):
    """What a supplier's owner may change without a new verification."""

    contact_name = fields.Str(validate=validate.Length(min=1, max=60))
    contact_phone = fields.Str(validate=validate.Regexp(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"))
    contact_email = fields.Email(allow_none=True)
    address_detail = fields.Str(validate=validate.Length(max=200))
    introduction = fields.Str(validate=validate.Length(max=5000))
