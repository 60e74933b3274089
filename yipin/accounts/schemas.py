"""Marshmallow schemas of the accounts API."""

from __future__ import annotations

from marshmallow import Schema, validate

from yipin import fields
from yipin.accounts.models import Role, SupplierRole


class UserSchema(Schema):
    id = fields.Int(dump_only=True)
    display_name = fields.Str()
    role = fields.Enum(Role, by_value=True)
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    supplier_id = fields.Int(allow_none=True)
    supplier_role = fields.Enum(SupplierRole, by_value=True, allow_none=True)
    bureau_region_code = fields.Str(allow_none=True)
    is_active = fields.Bool()
    created_at = fields.DateTime()
    last_login_at = fields.DateTime(allow_none=True)


class TokenRequestSchema(Schema):
    login = fields.Str(required=True, validate=validate.Length(max=254))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=128))
    name = fields.Str(load_default="API", validate=validate.Length(max=80))
    expires_in_days = fields.Int(load_default=365, validate=validate.Range(1, 3650))


class TokenSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    prefix = fields.Str()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.Str(metadata={"description": "The bearer token; shown only once."})


class UserCreateSchema(Schema):
    role = fields.Enum(Role, by_value=True, required=True)
    login = fields.Str(required=True, validate=validate.Length(max=254))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=128))
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    supplier_id = fields.Int(load_default=None)
    supplier_role = fields.Enum(SupplierRole, by_value=True, load_default=None)
    bureau_region_code = fields.Str(load_default=None)


class ActiveSchema(Schema):
    is_active = fields.Bool(required=True)
