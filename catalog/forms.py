"""HTML forms of the catalog pages (Flask-WTF: every form carries a CSRF token), and the labels
of the product fields the review diff names (enum labels live beside their enums)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from catalog.actions import ProductDraft, VariantDraft
from catalog.models import (
    STORAGE_CLASS_LABELS,
    Product,
    StorageClass,
    Variant,
)
from yipin.fields import IntegerField
from yipin.i18n import _l
from yipin.money import MoneyError, parse_yuan

FIELD_LABELS = {
    "name": _l("Product name"),
    "subtitle": _l("Subtitle"),
    "category_id": _l("Category"),
    "brand_id": _l("Regional brand"),
    "grade_standard_id": _l("Grading standard"),
    "origin_region_code": _l("Origin"),
    "storage_class": _l("Storage"),
    "shelf_life_days": _l("Shelf life (days)"),
    "sale_months": _l("Months on sale"),
    "presale_months": _l("Pre-sale months"),
    "description": _l("Description"),
    "sku": _l("SKU"),
    "spec": _l("Specification"),
    "grade_id": _l("Grade"),
    "net_weight_g": _l("Net weight (g)"),
    "gross_weight_g": _l("Gross weight (g)"),
    "price_fen": _l("Price"),
    "list_price_fen": _l("List price"),
    "per_order_limit": _l("Limit per order"),
    "is_active": _l("On sale"),
}
MONTH_NAMES = [
    _l("Jan"),
    _l("Feb"),
    _l("Mar"),
    _l("Apr"),
    _l("May"),
    _l("Jun"),
    _l("Jul"),
    _l("Aug"),
    _l("Sep"),
    _l("Oct"),
    _l("Nov"),
    _l("Dec"),
]
MONTHS = [SelectChoice(m, MONTH_NAMES[m - 1]) for m in range(1, 13)]


def field_label(name: str) -> str:
    """The label of a product or variant field (the review diff names what changed)."""
    value = FIELD_LABELS.get(name)
    return str(value) if value is not None else name


def season_order(months: list[int] | None) -> list[int]:
    """Months in the order of the season: a winter season reads 11, 12, 1, 2 (it starts after
    the longest gap in the year)."""
    ms = sorted({m for m in months or [] if isinstance(m, int) and 1 <= m <= 12})
    if len(ms) < 2:
        return ms
    gaps = [((ms[(i + 1) % len(ms)] - ms[i]) % 12 or 12, i) for i in range(len(ms))]
    _gap, before_start = max(gaps)
    start = (before_start + 1) % len(ms)
    return ms[start:] + ms[:start]


def months_text(months: list[int] | None) -> str:
    from yipin.i18n import current_language

    comma = "、" if current_language() == "zh_CN" else ", "
    return comma.join(str(MONTH_NAMES[m - 1]) for m in season_order(months)) or "—"


def yuan_text(fen: int | None) -> str:
    """Fen as the plain yuan text a form field shows (``6980 -> "69.80"``)."""
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}"


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


def _choose() -> InputRequired:
    return InputRequired(message=_l("Please choose."))


class ProductForm(FlaskForm):
    """A product's content. Choices are filled by the view (brands: only authorised ones)."""

    category_id = SelectField(
        _l("Category"), coerce=int, validators=[_choose()], validate_choice=False
    )
    brand_id = SelectField(
        _l("Regional brand"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validate_choice=False,
    )
    grade_standard_id = SelectField(
        _l("Grading standard"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validate_choice=False,
    )
    name = StringField(_l("Product name"), validators=[_required(), Length(max=120)])
    subtitle = StringField(_l("Subtitle"), validators=[Optional(), Length(max=200)])
    origin_region_code = StringField(
        _l("Origin (down to the village)"),
        validators=[_required(), Length(min=6, max=12)],
    )
    storage_class = SelectField(
        _l("Storage"),
        choices=STORAGE_CLASS_LABELS.choices(),
        default=StorageClass.AMBIENT.value,
    )
    shelf_life_days = IntegerField(
        _l("Shelf life (days)"),
        validators=[
            InputRequired(message=_l("Give the shelf life in days.")),
            NumberRange(1, 3650, message=_l("Shelf life is 1 to 3650 days.")),
        ],
    )
    sale_months = MultiCheckboxField(_l("Months on sale"), coerce=int, choices=MONTHS)
    presale_months = MultiCheckboxField(_l("Pre-sale months"), coerce=int, choices=MONTHS)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])

    def fill(self, product: Product) -> None:
        for key in (
            "category_id",
            "brand_id",
            "grade_standard_id",
            "name",
            "subtitle",
            "origin_region_code",
            "shelf_life_days",
            "sale_months",
            "presale_months",
            "description",
        ):
            getattr(self, key).data = getattr(product, key)
        self.storage_class.data = str(product.storage_class)

    def draft(self) -> ProductDraft:
        return ProductDraft(
            category_id=self.category_id.data,
            name=self.name.data or "",
            origin_region_code=(self.origin_region_code.data or "").strip(),
            shelf_life_days=self.shelf_life_days.data,
            storage_class=StorageClass(self.storage_class.data),
            brand_id=self.brand_id.data,
            grade_standard_id=self.grade_standard_id.data,
            subtitle=self.subtitle.data or "",
            description=self.description.data or "",
            sale_months=list(self.sale_months.data or []),
            presale_months=list(self.presale_months.data or []),
        )


class YuanField(StringField):
    """An amount typed in yuan (``69.8``, ``¥1,299``); ``.fen`` holds it in fen."""

    fen: int | None = None

    def pre_validate(self, form: Any) -> None:
        self.fen = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.fen = parse_yuan(text)
        except MoneyError:
            self.errors.append(
                str(_l("Enter an amount in yuan with at most two decimals, e.g. 69.80."))
            )


class VariantForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[_required(), Length(max=60)])
    grade_id = SelectField(
        _l("Grade"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validate_choice=False,
    )
    spec = StringField(
        _l("Specification"),
        validators=[_required(), Length(max=80)],
        description=_l("e.g. 5 kg, fruit 75–80 mm"),
    )
    net_weight_g = IntegerField(
        _l("Net weight (g)"),
        validators=[
            InputRequired(message=_l("Give the weight in grams.")),
            NumberRange(1, 1_000_000, message=_l("The net weight is 1 g to 1000 kg, in grams.")),
        ],
    )
    gross_weight_g = IntegerField(
        _l("Gross weight (g)"),
        validators=[
            InputRequired(message=_l("Give the weight in grams.")),
            NumberRange(1, 1_000_000, message=_l("The gross weight is at most 1000 kg.")),
        ],
    )
    price = YuanField(_l("Price (yuan)"), validators=[_required()])
    list_price = YuanField(_l("List price (yuan, optional)"), validators=[Optional()])
    per_order_limit = IntegerField(
        _l("Limit per order (optional)"),
        validators=[
            Optional(),
            NumberRange(1, 100_000, message=_l("The order limit must be at least 1.")),
        ],
    )
    is_active = BooleanField(_l("On sale"), default=True)
    sort_order = IntegerField(
        _l("Sort order"), default=0, validators=[Optional(), NumberRange(0, 10_000)]
    )

    # domain error fields → form fields
    FIELD_MAP: ClassVar[dict[str, str]] = {"price_fen": "price", "list_price_fen": "list_price"}

    def fill(self, variant: Variant) -> None:
        for key in (
            "sku",
            "grade_id",
            "spec",
            "net_weight_g",
            "gross_weight_g",
            "per_order_limit",
            "is_active",
            "sort_order",
        ):
            getattr(self, key).data = getattr(variant, key)
        self.price.data = yuan_text(variant.price_fen)
        self.list_price.data = yuan_text(variant.list_price_fen)

    def draft(self) -> VariantDraft:
        return VariantDraft(
            sku=self.sku.data or "",
            spec=self.spec.data or "",
            net_weight_g=self.net_weight_g.data,
            gross_weight_g=self.gross_weight_g.data,
            price_fen=self.price.fen or 0,
            grade_id=self.grade_id.data,
            list_price_fen=self.list_price.fen,
            per_order_limit=self.per_order_limit.data,
            is_active=bool(self.is_active.data),
            sort_order=self.sort_order.data or 0,
        )


class ImageUploadForm(FlaskForm):
    images = MultipleFileField(_l("Pictures (JPEG, PNG or WebP)"))
    alt = StringField(_l("Description of the pictures (optional)"), validators=[Length(max=120)])


class ImageAltForm(FlaskForm):
    alt = StringField(_l("Description"), validators=[Length(max=120)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give a reason.")),
            Length(max=1000, message=_l("The reason is at most 1000 characters.")),
        ],
    )


class ApproveForm(FlaskForm):
    revision = IntegerField(validators=[Optional()], widget=widgets.HiddenInput())
