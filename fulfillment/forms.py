"""HTML forms of the stock places (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from catalog.models import StorageClass
from fulfillment.actions import CAPABILITY_LABELS, KIND_LABELS, MAX_UNITS, WarehouseDraft
from fulfillment.models import WarehouseKind
from yipin.fields import IntegerField
from yipin.forms import PhoneField
from yipin.i18n import _l


def _optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class WarehouseForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("Letters, digits, - or _; unique on the platform (e.g. XW-ORIGIN-01)."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()])
    region_code = HiddenField(_l("Region"), validators=[DataRequired()])
    cold_capability = SelectField(
        _l("Storage it can keep"),
        choices=[(s.value, label) for s, label in CAPABILITY_LABELS.items()],
    )
    address_detail = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=60)])
    contact_phone = PhoneField(_l("Contact phone"), validators=[Optional()])
    supplier_id = SelectField(_l("Run by"), coerce=_optional_int, choices=[], validate_choice=False)

    def draft(self) -> WarehouseDraft:
        return WarehouseDraft(
            code=self.code.data or "",
            name=self.name.data or "",
            kind=WarehouseKind(self.kind.data),
            region_code=self.region_code.data or "",
            cold_capability=StorageClass(self.cold_capability.data),
            address_detail=self.address_detail.data or "",
            contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "",
            supplier_id=self.supplier_id.data,
        )


class SetStockForm(FlaskForm):
    """Set the counted units (盘点)."""

    variant_id = SelectField(_l("Variant"), coerce=int, choices=[], validate_choice=False)
    warehouse_id = SelectField(_l("Warehouse"), coerce=int, choices=[], validate_choice=False)
    on_hand = IntegerField(
        _l("Units on hand"), validators=[InputRequired(), NumberRange(0, MAX_UNITS)]
    )
    reason = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class AdjustStockForm(FlaskForm):
    """Add or remove units with a reason (入库 / 损耗 …)."""

    variant_id = SelectField(_l("Variant"), coerce=int, choices=[], validate_choice=False)
    warehouse_id = SelectField(_l("Warehouse"), coerce=int, choices=[], validate_choice=False)
    delta = IntegerField(
        _l("Change (+ in, − out)"),
        validators=[InputRequired(), NumberRange(-MAX_UNITS, MAX_UNITS)],
    )
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
