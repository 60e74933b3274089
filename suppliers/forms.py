"""HTML forms of the supplier portal and the operator's verification pages (Flask-WTF: CSRF on
every form), plus the badge classes the pages use (labels live beside their enums)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from catalog.models import Category
from suppliers import actions
from suppliers.models import (
    SUPPLIER_KIND_LABELS,
    SUPPLIER_STATUS_LABELS,
    SupplierKind,
    SupplierStatus,
)
from yipin import contact
from yipin.db import db
from yipin.errors import DomainError
from yipin.fields import DateField
from yipin.forms import PhoneField
from yipin.i18n import _l

# ----------------------------------------------------------------------------- labels

AUTHORISATION_BADGES = {"valid": "ok", "upcoming": "warn", "expired": "expired", "revoked": "bad"}
INVITATION_STATES: dict[str, Any] = {
    "open": _l("Waiting"),
    "accepted": _l("Accepted"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
}
INVITATION_BADGES = {"open": "warn", "accepted": "ok", "revoked": "bad", "expired": "expired"}
NOTIFICATION_TITLES: dict[str, Any] = {
    f"supplier.{status}": text for status, text in actions.NOTICES.items()
}


def kind_choices() -> list[tuple[str, Any]]:
    return SUPPLIER_KIND_LABELS.choices()


def status_choices() -> list[tuple[str, Any]]:
    return SUPPLIER_STATUS_LABELS.choices()


def category_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Category.id, Category.name).order_by(Category.sort_order, Category.id)
    )
    return [(cid, name) for cid, name in rows]


# ----------------------------------------------------------------------------- application


class SupplierFields(FlaskForm):
    """The supplier's details (application and resubmission)."""

    name = StringField(_l("Registered name"), validators=[DataRequired(), Length(min=2, max=120)])
    kind = RadioField(_l("Kind of supplier"), choices=kind_choices(), validators=[DataRequired()])
    is_leading_enterprise = BooleanField(_l("Designated leading enterprise (龙头企业)"))
    uscc = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(max=40)]
    )
    legal_representative = StringField(
        _l("Legal representative"), validators=[DataRequired(), Length(max=60)]
    )
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=60)])
    contact_phone = PhoneField(_l("Contact phone"), validators=[DataRequired()])
    contact_email = StringField(
        _l("Contact e-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(contact.EMAIL_RE, message=contact.EMAIL_MESSAGE),
        ],
    )
    region_code = StringField(_l("Location"))  # rendered by the region_picker macro
    address_detail = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    registered_on = DateField(_l("Date of establishment"), validators=[DataRequired()])
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=5000)])
    main_category_ids = SelectMultipleField(_l("Main categories"), coerce=int, choices=[])
    licence_image = FileField(_l("Business licence (photo or scan)"))
    food_licence_number = StringField(
        _l("Food production licence number"), validators=[Optional(), Length(max=40)]
    )
    food_licence_issuer = StringField(_l("Issued by"), validators=[Optional(), Length(max=120)])
    food_licence_valid_from = DateField(_l("Valid from"), validators=[Optional()])
    food_licence_valid_to = DateField(_l("Valid to"), validators=[Optional()])
    food_licence_image = FileField(_l("Food production licence (photo or scan)"))

    licence_required = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.main_category_ids.choices = category_choices()

    def validate_uscc(self, field: Any) -> None:
        try:
            kind = _member(SupplierKind, self.kind.data)
            actions.check_uscc(field.data, kind)
        except DomainError as exc:
            raise ValidationError(exc.text()) from None

    def validate_region_code(self, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError(
                str(_l("Choose the county, the township and the village or community."))
            )

    def validate_main_category_ids(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(str(_l("Choose at least one main category.")))

    def validate_licence_image(self, field: Any) -> None:
        if self.licence_required and not _has_file(field):
            raise ValidationError(str(_l("Upload a photo or scan of the business licence.")))

    def needing_licence(self) -> list[Category]:
        return actions.categories_needing_licence(db.session, self.main_category_ids.data or [])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        needing = self.needing_licence() if self.main_category_ids.data else []
        if needing and self.food_licence_demanded():
            names = {"categories": "、".join(c.name for c in needing)}
            required = [
                self.food_licence_number,
                self.food_licence_issuer,
                self.food_licence_valid_from,
                self.food_licence_valid_to,
            ]
            for f in required:
                if not f.data and not f.errors:
                    f.errors = [*f.errors, str(_l("Required for %(categories)s.") % names)]
                    ok = False
            if self.food_licence_number.data and not self.food_licence_number.errors:
                try:
                    actions.check_food_licence_number(self.food_licence_number.data)
                except DomainError as exc:
                    self.food_licence_number.errors = [exc.text()]
                    ok = False
            if self.food_licence_image_required() and not _has_file(self.food_licence_image):
                self.food_licence_image.errors = [
                    str(_l("Upload a photo or scan of the food production licence."))
                ]
                ok = False
        return ok

    def food_licence_demanded(self) -> bool:
        return True

    def food_licence_image_required(self) -> bool:
        return True

    # What the actions take

    def supplier_draft(self) -> actions.SupplierDraft:
        return actions.SupplierDraft(
            name=self.name.data or "",
            kind=SupplierKind(self.kind.data),
            uscc=self.uscc.data or "",
            legal_representative=self.legal_representative.data or "",
            contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "",
            contact_email=self.contact_email.data or None,
            region_code=(self.region_code.data or "").strip(),
            registered_on=self.registered_on.data,
            main_category_ids=list(self.main_category_ids.data or []),
            is_leading_enterprise=bool(self.is_leading_enterprise.data),
            address_detail=self.address_detail.data or "",
            introduction=self.introduction.data or "",
        )

    def food_licence_draft(self) -> actions.FoodLicenceDraft:
        image = self.food_licence_image.data
        return actions.FoodLicenceDraft(
            number=self.food_licence_number.data or "",
            issuer=self.food_licence_issuer.data or "",
            valid_from=self.food_licence_valid_from.data,
            valid_to=self.food_licence_valid_to.data,
            image=image.stream if _has_file(self.food_licence_image) else None,
        )

    def licence_stream(self) -> Any:
        return self.licence_image.data.stream if _has_file(self.licence_image) else None


def _member(enum: Any, raw: Any) -> Any:
    """The enum member with this value, or None."""
    try:
        return enum(raw)
    except ValueError:
        return None


def _has_file(field: Any) -> bool:
    data = field.data
    return data is not None and bool(getattr(data, "filename", ""))


class ApplyForm(SupplierFields):
    """A supplier's owner registers: their own account, then the supplier."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    login = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])

    def account_draft(self) -> actions.AccountDraft:
        return actions.AccountDraft(
            login=self.login.data or "",
            password=self.password.data or "",
            display_name=self.display_name.data or "",
        )


class ResubmitForm(SupplierFields):
    """A rejected supplier's owner corrects the application; new images are optional."""

    licence_required = False
    has_valid_food_licence = False

    def food_licence_demanded(self) -> bool:
        # a valid licence on file is enough unless the owner starts entering a new one
        entered = any(
            f.data
            for f in (
                self.food_licence_number,
                self.food_licence_issuer,
                self.food_licence_valid_from,
                self.food_licence_valid_to,
            )
        )
        return entered or not self.has_valid_food_licence

    def food_licence_image_required(self) -> bool:
        return False  # the action asks for it only when the number is new


# ----------------------------------------------------------------------------- portal


class ProfileForm(FlaskForm):
    """What the owner may change without a new verification."""

    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=60)])
    contact_phone = PhoneField(_l("Contact phone"), validators=[DataRequired()])
    contact_email = StringField(
        _l("Contact e-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(contact.EMAIL_RE, message=contact.EMAIL_MESSAGE),
        ],
    )
    address_detail = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=5000)])

    def changes(self) -> dict[str, Any]:
        return {name: (getattr(self, name).data or "") for name in actions.PROFILE_FIELDS}


class StaffForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    login = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=128)])


class InviteForm(FlaskForm):
    invite_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    invite_phone = PhoneField(
        _l("Mobile number (optional)"), validators=[Optional()], mobile_only=True
    )


class JoinForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    login = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class EmptyForm(FlaskForm):
    """Only the CSRF token (buttons that change state)."""


# ----------------------------------------------------------------------------- console


class StatusForm(FlaskForm):
    action = StringField(validators=[DataRequired()])  # set by the button's own form
    reason = TextAreaField(_l("Reason (shown to the supplier)"), validators=[Length(max=2000)])


class QueueFilterForm(FlaskForm):
    """GET filters of the verification queue (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or credit code"), validators=[Optional(), Length(max=60)])
    status = SelectField(
        _l("Status"),
        choices=[("", _l("All statuses")), *status_choices()],
        validators=[Optional()],
    )
    kind = SelectField(
        _l("Kind"), choices=[("", _l("All kinds")), *kind_choices()], validators=[Optional()]
    )
    county = SelectField(_l("County"), choices=[("", _l("All counties"))], validators=[Optional()])

    def status_value(self) -> SupplierStatus | None:
        return _member(SupplierStatus, self.status.data)

    def kind_value(self) -> SupplierKind | None:
        return _member(SupplierKind, self.kind.data)


class GrantForm(FlaskForm):
    supplier_id = SelectField(_l("Supplier"), coerce=int, validators=[DataRequired()])
    brand_id = SelectField(_l("Brand"), coerce=int, validators=[DataRequired()])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid to"), validators=[DataRequired()])
    certificate_number = StringField(
        _l("Certificate number"), validators=[Optional(), Length(max=60)]
    )


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
