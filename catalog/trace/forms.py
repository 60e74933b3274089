"""HTML forms of the traceability pages in the supplier portal (Flask-WTF: CSRF on every form);
their choices come from the label tables beside the enums."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.models import (
    CERTIFICATION_KIND_LABELS,
    COMMITMENT_BASIS_LABELS,
    INSPECTION_RESULT_LABELS,
    CertificationKind,
)
from catalog.trace.batches import MAX_QUANTITY
from yipin.fields import DateField, IntegerField
from yipin.i18n import _l


class InspectionFields(Form):
    """The fields of one test (快检) row; each form below says which are required."""

    item = StringField(_l("Item tested"), validators=[Optional(), Length(max=80)])
    method = StringField(_l("Method"), validators=[Optional(), Length(max=80)])
    result = SelectField(_l("Result"), choices=INSPECTION_RESULT_LABELS.choices())
    value = StringField(_l("Value"), validators=[Optional(), Length(max=80)])
    inspected_on = DateField(_l("Date tested"), validators=[Optional()])
    inspector = StringField(_l("Inspector"), validators=[Optional(), Length(max=120)])


class InspectionRowForm(InspectionFields):
    """One optional row of the new-batch form (no CSRF of its own: it lives in a FlaskForm)."""

    @property
    def is_blank(self) -> bool:
        return not (self.item.data or "").strip()


class InspectionForm(FlaskForm, InspectionFields):
    """A test added to an existing batch: item and date are required."""

    item = StringField(_l("Item tested"), validators=[DataRequired(), Length(max=80)])
    inspected_on = DateField(_l("Date tested"), validators=[DataRequired()])


class BatchForm(FlaskForm):
    variant_id = SelectField(_l("Variant"), coerce=int, validators=[DataRequired()])
    base_name = StringField(_l("Base or plot"), validators=[DataRequired(), Length(max=120)])
    base_region_code = StringField(_l("Where the base lies"), validators=[Optional()])
    harvest_date = DateField(_l("Harvest date"), validators=[Optional()])
    production_date = DateField(_l("Production date"), validators=[Optional()])
    quantity = IntegerField(
        _l("Quantity (units of the variant)"),
        validators=[DataRequired(), NumberRange(1, MAX_QUANTITY)],
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=20)])
    basis = SelectField(_l("Basis of the commitment"), choices=COMMITMENT_BASIS_LABELS.choices())
    inspections = FieldList(FormField(InspectionRowForm), min_entries=3, max_entries=12)


class CertificationForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=CERTIFICATION_KIND_LABELS.choices(),
        default=CertificationKind.GREEN_FOOD.value,
    )
    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=60)])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=120)])
    scope = TextAreaField(_l("Scope"), validators=[Optional(), Length(max=2000)])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid to"), validators=[DataRequired()])
    product_id = SelectField(_l("Applies to"), coerce=int, default=0)
    image = FileField(
        _l("Scan or photo of the certificate"),
        validators=[FileAllowed(["jpg", "jpeg", "png", "webp"], _l("JPEG, PNG or WebP only."))],
    )
