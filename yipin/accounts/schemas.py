"""Marshmallow schemas of the accounts API."""

from __future__ import annotations

from marshmallow import Schema, validate

from yipin import fields
from yipin.accounts.models import Role, SupplierRole
from yipin.api import Pattern
from yipin.contact import EMAIL_OR_BLANK, LOGIN_PATTERN, MOBILE_OR_BLANK

# what ``actions.check_password_strength`` asks: 8 to 128 characters, letters and digits
PASSWORD_PATTERN = r"^(?=[^\x00]*[A-Za-z])(?=[^\x00]*[0-9])[^\x00]{8,128}$"

__all__ = ["EMAIL_OR_BLANK", "LOGIN_PATTERN", "MOBILE_OR_BLANK", "PASSWORD_PATTERN"]


class UserSchema(Schema):
    id = fields.Int(dump_only=True)
    display_name = fields.Str()
    role = fields.Enum(Role, by_value=True)
    phone = fields.Str(allow_none=True, metadata={"description": "11 digits · 手机号"})
    email = fields.Str(allow_none=True)
    supplier_id = fields.Int(allow_none=True, metadata={"description": "Supplier staff only"})
    supplier_role = fields.Enum(SupplierRole, by_value=True, allow_none=True)
    bureau_region_code = fields.Str(
        allow_none=True, metadata={"description": "Bureau staff: the region they read"}
    )
    is_active = fields.Bool()
    created_at = fields.DateTime()
    last_login_at = fields.DateTime(allow_none=True)


class TokenRequestSchema(Schema):
    login = fields.Str(
        required=True,
        validate=validate.Length(max=254),
        metadata={"description": "Mainland mobile number or e-mail · 手机号或邮箱"},
    )
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=128))
    name = fields.Str(
        load_default="API",
        validate=validate.Length(max=80),
        metadata={"description": "What the token is for · 令牌用途"},
    )
    expires_in_days = fields.Int(load_default=365, validate=validate.Range(1, 3650))


class TokenSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    prefix = fields.Str(metadata={"description": "The token's first characters · 令牌前缀"})
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.Str(metadata={"description": "The bearer token; shown only once · 仅显示一次"})


class UserCreateSchema(Schema):
    role = fields.Enum(Role, by_value=True, required=True)
    login = fields.Str(
        required=True,
        validate=[validate.Length(max=254), Pattern(LOGIN_PATTERN)],
        metadata={"description": "Mainland mobile number or e-mail · 手机号或邮箱"},
    )
    password = fields.Str(
        required=True,
        load_only=True,
        validate=Pattern(PASSWORD_PATTERN),
        metadata={
            "description": "8 to 128 characters with letters and digits · 8–128 位，含字母和数字"
        },
    )
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    supplier_id = fields.Int(
        load_default=None, metadata={"description": "Supplier accounts: whose staff"}
    )
    supplier_role = fields.Enum(SupplierRole, by_value=True, load_default=None)
    bureau_region_code = fields.Str(
        load_default=None,
        validate=Pattern(r"^\d{2}(\d{2}(\d{2})?)?$"),
        metadata={"description": "Bureau accounts: the province, city or county they read"},
    )


class ActiveSchema(Schema):
    is_active = fields.Bool(required=True)
