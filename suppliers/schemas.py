"""Marshmallow schemas of the suppliers API."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, validate

from suppliers.actions import OPERATOR_ACTIONS
from suppliers.models import (
    AUTHORISATION_STATE_LABELS,
    SUPPLIER_KIND_LABELS,
    SUPPLIER_STATUS_LABELS,
    AuthorisationState,
    SupplierKind,
    SupplierStatus,
)
from suppliers.queries import authorisation_state, invitation_state
from yipin import fields
from yipin.accounts.schemas import PASSWORD_PATTERN, UserSchema
from yipin.api import NOT_BLANK, Pattern
from yipin.contact import EMAIL_OR_BLANK, LOGIN_PATTERN, PhoneNumber
from yipin.fields import ComputedEnum, ComputedStr, labelled_enum

# The structure of a 统一社会信用代码 (its check character is a rule the document lists)
USCC = r"^ *[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18} *$"
VILLAGE = r"^[0-9]{12}$"


class CategoryRefSchema(Schema):
    id = fields.Int()
    slug = fields.Str()
    name = fields.Str()
    requires_food_licence = fields.Bool()


class SupplierSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str()
    kind = labelled_enum(SupplierKind, SUPPLIER_KIND_LABELS)
    is_leading_enterprise = fields.Bool()
    uscc = fields.Str()
    legal_representative = fields.Personal(allow_none=True)
    contact_name = fields.Personal(allow_none=True)
    contact_phone = fields.Personal(allow_none=True)
    contact_email = fields.Personal(allow_none=True)
    region_code = fields.Str()
    region_name = ComputedStr(lambda s: s.region.full_name if s.region else None, allow_none=True)
    address_detail = fields.Personal(allow_none=True)
    registered_on = fields.Date()
    introduction = fields.Str()
    main_categories = fields.List(fields.Nested(CategoryRefSchema))
    status = labelled_enum(SupplierStatus, SUPPLIER_STATUS_LABELS)
    status_reason = fields.Str(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    registered_in_city = fields.Bool()
    can_sell = fields.Bool()


class SupplierListArgs(Schema):
    status = labelled_enum(SupplierStatus, SUPPLIER_STATUS_LABELS, load_default=None)
    kind = labelled_enum(SupplierKind, SUPPLIER_KIND_LABELS, load_default=None)
    county = fields.Str(load_default=None, validate=Pattern(r"^[0-9]{6}$"))
    q = fields.Str(load_default="", validate=validate.Length(max=60))


class SupplierUpdateSchema(Schema):
    """What a supplier's owner may change without a new verification."""

    contact_name = fields.Str(validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)])
    contact_phone = PhoneNumber()
    contact_email = fields.Str(
        allow_none=True, validate=[validate.Length(max=254), Pattern(EMAIL_OR_BLANK)]
    )
    address_detail = fields.Str(validate=validate.Length(max=200))
    introduction = fields.Str(validate=validate.Length(max=5000))


class SupplierFieldsSchema(Schema):
    """The supplier's details, sent as multipart/form-data (with the licence images)."""

    name = fields.Str(required=True, validate=[validate.Length(min=2, max=120), Pattern(NOT_BLANK)])
    kind = labelled_enum(SupplierKind, SUPPLIER_KIND_LABELS, required=True)
    is_leading_enterprise = fields.Bool(load_default=False)
    uscc = fields.Str(
        required=True,
        validate=validate.Length(max=40),
        metadata={
            # said here, checked by the action, which names the reason (length, characters,
            # entity type, division, check character)
            "pattern": USCC,
            "description": "统一社会信用代码: 18 characters · 18 位统一社会信用代码",
            "example": "93360734MA35XXXX0X",
        },
    )
    legal_representative = fields.Str(
        required=True, validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)]
    )
    contact_name = fields.Str(
        required=True, validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)]
    )
    contact_phone = PhoneNumber(required=True)
    contact_email = fields.Str(
        load_default=None, validate=[validate.Length(max=254), Pattern(EMAIL_OR_BLANK)]
    )
    region_code = fields.Str(
        required=True,
        validate=Pattern(VILLAGE),
        metadata={"description": "The village (12 digits) · 所在村（12 位区划代码）"},
    )
    address_detail = fields.Str(load_default="", validate=validate.Length(max=200))
    registered_on = fields.Date(required=True)
    introduction = fields.Str(load_default="", validate=validate.Length(max=5000))
    main_category_ids = fields.List(
        fields.Int(), required=True, validate=validate.Length(min=1, max=20)
    )
    food_licence_number = fields.Str(load_default="", validate=validate.Length(max=40))
    food_licence_issuer = fields.Str(load_default="", validate=validate.Length(max=120))
    food_licence_valid_from = fields.Date(load_default=None)
    food_licence_valid_to = fields.Date(load_default=None)


class ApplicationSchema(SupplierFieldsSchema):
    """A new supplier and its owner's account."""

    login = fields.Str(
        required=True,
        validate=[validate.Length(max=254), Pattern(LOGIN_PATTERN)],
        metadata={"description": "The owner's mobile number or e-mail · 负责人的手机号或邮箱"},
    )
    password = fields.Str(required=True, load_only=True, validate=Pattern(PASSWORD_PATTERN))
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=80))


class LicenceFilesSchema(Schema):
    licence_image = Upload(metadata={"description": "营业执照: JPEG, PNG or WebP."})
    food_licence_image = Upload(
        metadata={"description": "食品生产许可证, when a category needs one."}
    )


class ApplicationFormSchema(ApplicationSchema, LicenceFilesSchema):
    """A supplier's application with its licence images (multipart/form-data)."""


class ResubmissionFormSchema(SupplierFieldsSchema, LicenceFilesSchema):
    """A rejected supplier's corrected application (multipart/form-data)."""


class ApplicationResultSchema(Schema):
    supplier = fields.Nested(SupplierSchema)
    owner = fields.Nested(UserSchema)


class VerificationSchema(Schema):
    action = fields.Str(
        required=True, validate=validate.OneOf(sorted(a.value for a in OPERATOR_ACTIONS))
    )
    reason = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "Required to reject or suspend; the supplier sees it."},
    )


class StatusChangeSchema(Schema):
    id = fields.Int()
    from_status = labelled_enum(SupplierStatus, SUPPLIER_STATUS_LABELS, allow_none=True)
    to_status = labelled_enum(SupplierStatus, SUPPLIER_STATUS_LABELS)
    reason = fields.Str(allow_none=True)
    at = fields.DateTime()
    actor_id = fields.Int(allow_none=True)
    actor_name = fields.Personal(allow_none=True)
    actor_role = fields.Str(allow_none=True)


class StaffCreateSchema(Schema):
    login = fields.Str(required=True, validate=[validate.Length(max=254), Pattern(LOGIN_PATTERN)])
    password = fields.Str(required=True, load_only=True, validate=Pattern(PASSWORD_PATTERN))
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=80))


class InvitationCreateSchema(Schema):
    display_name = fields.Str(
        required=True, validate=[validate.Length(min=1, max=80), Pattern(NOT_BLANK)]
    )
    phone = PhoneNumber(
        mobile_only=True,
        load_default=None,
        allow_none=True,
        metadata={"description": "The invitee's mobile number · 被邀请人手机号"},
    )
    email = fields.Str(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=254), Pattern(EMAIL_OR_BLANK)],
    )


class InvitationSchema(Schema):
    id = fields.Int()
    supplier_id = fields.Int()
    display_name = fields.Str()
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    state = fields.Function(lambda i: invitation_state(i))


class NewInvitationSchema(InvitationSchema):
    code = fields.Str(metadata={"description": "Shown once; only its SHA-256 digest is kept."})
    link = fields.Str()


class InvitationAcceptSchema(Schema):
    code = fields.Str(required=True, validate=validate.Length(min=8, max=100))
    login = fields.Str(required=True, validate=[validate.Length(max=254), Pattern(LOGIN_PATTERN)])
    password = fields.Str(required=True, load_only=True, validate=Pattern(PASSWORD_PATTERN))
    display_name = fields.Str(required=True, validate=validate.Length(min=1, max=80))


# ----------------------------------------------------------------------------- brands


class AuthorisationSchema(Schema):
    id = fields.Int(dump_only=True)
    supplier_id = fields.Int()
    supplier_name = fields.Str(attribute="supplier.name", dump_only=True)
    brand_id = fields.Int()
    brand_slug = fields.Str(attribute="brand.slug", dump_only=True)
    brand_name = fields.Str(attribute="brand.name", dump_only=True)
    certificate_number = fields.Str(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date()
    revoked_at = fields.DateTime(allow_none=True)
    revoke_reason = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    state = ComputedEnum(
        AuthorisationState,
        authorisation_state,
        by_value=True,
        metadata={"description": "Today in China. " + AUTHORISATION_STATE_LABELS.describe()},
    )


class AuthorisationCreateSchema(Schema):
    supplier_id = fields.Int(required=True)
    brand_id = fields.Int(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    certificate_number = fields.Str(
        load_default=None, allow_none=True, validate=validate.Length(max=60)
    )


class AuthorisationListArgs(Schema):
    supplier_id = fields.Int(load_default=None)
    brand_id = fields.Int(load_default=None)
    state = labelled_enum(AuthorisationState, AUTHORISATION_STATE_LABELS, load_default=None)


class RevokeSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=[validate.Length(min=1, max=2000), Pattern(NOT_BLANK)],
        metadata={"description": "The supplier sees it · 供应商可见的原因"},
    )
