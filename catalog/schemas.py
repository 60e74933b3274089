"""Marshmallow schemas of the catalog API (products, variants, images, reviews, reference)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, validate, validates_schema

from catalog.models import (
    PRODUCT_STATUS_LABELS,
    REVIEW_EVENT_LABELS,
    STORAGE_CLASS_LABELS,
    ProductStatus,
    ReviewEvent,
    StorageClass,
)
from yipin import fields
from yipin.api import NOT_BLANK, Pattern
from yipin.fields import ComputedStr, labelled_enum
from yipin.media import images as image_store

MONTH = fields.Int(validate=validate.Range(1, 12, error="Months are numbers from 1 to 12."))
FEN = validate.Range(1, 100_000_000)
GRAMS = validate.Range(1, 1_000_000)


# ----------------------------------------------------------------------------- reference


class GradeSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    rank = fields.Int()
    sellable = fields.Bool(metadata={"description": "False for grades that may not be sold (等外)"})
    criteria = fields.List(fields.Dict(), metadata={"description": '[{"criterion", "value"}]'})


class GradeStandardSchema(Schema):
    id = fields.Int()
    code = fields.Str(metadata={"example": "GB/T 21488-2008"})
    title = fields.Str()
    title_en = fields.Str()
    source = fields.Str()
    notes = fields.Str()
    grades = fields.List(fields.Nested(GradeSchema))


class CategorySchema(Schema):
    id = fields.Int()
    slug = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    parent_id = fields.Int(allow_none=True)
    requires_food_licence = fields.Bool(
        metadata={"description": "Products need a valid food production licence (SC)"}
    )
    default_storage_class = labelled_enum(StorageClass, STORAGE_CLASS_LABELS)


class BrandSchema(Schema):
    id = fields.Int()
    slug = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    region_code = fields.Str(metadata={"description": "Produce must come from this region"})
    steward = fields.Str()
    gi_number = fields.Str(allow_none=True)
    description = fields.Str()
    season_months = fields.List(fields.Int())


# ----------------------------------------------------------------------------- products


class ImageSchema(Schema):
    """A picture of a product (``id`` is the product-image id used in the image routes)."""

    id = fields.Int()
    image_id = fields.Int()
    position = fields.Int()
    alt = fields.Str()
    width = fields.Int(attribute="image.width")
    height = fields.Int(attribute="image.height")
    urls = fields.Method("_urls")

    def _urls(self, pi: Any) -> dict[str, str | None]:
        return {name: image_store.url(pi.image, name) for name in pi.image.renditions}


class VariantSchema(Schema):
    id = fields.Int()
    product_id = fields.Int()
    sku = fields.Str()
    grade_id = fields.Int(allow_none=True)
    grade_name = ComputedStr(lambda v: v.grade.name if v.grade else None, allow_none=True)
    spec = fields.Str()
    net_weight_g = fields.Int()
    gross_weight_g = fields.Int()
    price_fen = fields.Int()
    list_price_fen = fields.Int(allow_none=True)
    per_order_limit = fields.Int(allow_none=True)
    is_active = fields.Bool()
    sort_order = fields.Int()


class ProductSchema(Schema):
    id = fields.Int()
    supplier_id = fields.Int()
    supplier_name = fields.Str(attribute="supplier.name", dump_only=True)
    category_id = fields.Int()
    brand_id = fields.Int(allow_none=True)
    grade_standard_id = fields.Int(allow_none=True)
    name = fields.Str()
    subtitle = fields.Str()
    origin_region_code = fields.Str()
    origin_name = ComputedStr(lambda p: p.origin.full_name if p.origin else None, allow_none=True)
    storage_class = labelled_enum(StorageClass, STORAGE_CLASS_LABELS)
    shelf_life_days = fields.Int()
    sale_months = fields.List(fields.Int())
    presale_months = fields.List(fields.Int())
    description = fields.Str()
    status = labelled_enum(ProductStatus, PRODUCT_STATUS_LABELS)
    status_reason = fields.Str(allow_none=True)
    revision = fields.Int()
    submitted_at = fields.DateTime(allow_none=True)
    listed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    variants = fields.List(fields.Nested(VariantSchema))
    images = fields.List(fields.Nested(ImageSchema))


class ProductListArgs(Schema):
    status = labelled_enum(ProductStatus, PRODUCT_STATUS_LABELS, load_default=None)
    q = fields.Str(load_default=None, validate=validate.Length(max=60))
    supplier_id = fields.Int(load_default=None, metadata={"description": "operators and bureau"})
    brand_id = fields.Int(load_default=None)
    category_id = fields.Int(load_default=None)
    county = fields.Str(
        load_default=None,
        validate=Pattern(r"^[0-9]{6}$"),
        metadata={"description": "Origin county code · 产地县代码"},
    )


class ProductWriteSchema(Schema):
    """A product's content. POST needs the required fields; PATCH takes any subset."""

    category_id = fields.Int(required=True)
    name = fields.Str(required=True, validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)])
    origin_region_code = fields.Str(
        required=True,
        validate=Pattern(
            r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$", error="A county, township or village code."
        ),
        metadata={"description": "County, township or village of origin · 产地（县、乡镇或村）"},
    )
    shelf_life_days = fields.Int(required=True, validate=validate.Range(1, 3650))
    storage_class = labelled_enum(StorageClass, STORAGE_CLASS_LABELS)
    brand_id = fields.Int(allow_none=True)
    grade_standard_id = fields.Int(allow_none=True)
    subtitle = fields.Str(validate=validate.Length(max=200))
    description = fields.Str(validate=validate.Length(max=20000))
    sale_months = fields.List(MONTH, validate=validate.Length(max=12))
    presale_months = fields.List(MONTH, validate=validate.Length(max=12))


class VariantWriteSchema(Schema):
    sku = fields.Str(required=True, validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)])
    spec = fields.Str(
        required=True,
        validate=[validate.Length(min=1, max=80), Pattern(NOT_BLANK)],
        metadata={"example": "5 kg 75–80 mm"},
    )
    net_weight_g = fields.Int(required=True, validate=GRAMS)
    gross_weight_g = fields.Int(required=True, validate=GRAMS)
    price_fen = fields.Int(required=True, validate=FEN)
    grade_id = fields.Int(allow_none=True)
    list_price_fen = fields.Int(allow_none=True, validate=FEN)
    per_order_limit = fields.Int(allow_none=True, validate=validate.Range(1, 100_000))
    is_active = fields.Bool()
    sort_order = fields.Int(validate=validate.Range(0, 10_000))


class PriceSchema(Schema):
    price_fen = fields.Int(required=True, validate=FEN)
    list_price_fen = fields.Int(load_default=None, allow_none=True, validate=FEN)


class ImageUploadSchema(Schema):
    image = Upload(required=True, metadata={"description": "JPEG, PNG or WebP"})


class ImageFormSchema(Schema):
    alt = fields.Str(load_default="", validate=validate.Length(max=120))


class ImageUploadFormSchema(ImageUploadSchema, ImageFormSchema):
    """A picture and its description, as multipart/form-data."""


class ImagePatchSchema(Schema):
    class Meta:
        json_schema: ClassVar = {"minProperties": 1}  # give alt or position

    alt = fields.Str(validate=validate.Length(max=120))
    position = fields.Int(
        validate=validate.Range(0, 100), metadata={"description": "new place, 0 = cover"}
    )

    @validates_schema
    def _alt_or_position_given(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Give alt or position.")


class ReviewActionSchema(Schema):
    action = fields.Str(
        required=True,
        validate=validate.OneOf(["submit", "withdraw", "approve", "reject", "delist"]),
    )
    reason = fields.Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata={"description": "reject and delist: why (the supplier sees it)"},
    )
    revision = fields.Int(
        load_default=None,
        allow_none=True,
        metadata={"description": "approve: the revision reviewed; 409 if the product changed"},
    )


class ListingReviewSchema(Schema):
    id = fields.Int()
    event = labelled_enum(ReviewEvent, REVIEW_EVENT_LABELS)
    revision = fields.Int()
    reason = fields.Str(allow_none=True)
    actor_id = fields.Int(allow_none=True)
    actor_name = ComputedStr(lambda r: r.actor.display_name if r.actor else None, allow_none=True)
    actor_role = ComputedStr(lambda r: str(r.actor.role) if r.actor else None, allow_none=True)
    at = fields.DateTime()


class ProductPatchSchema(ProductWriteSchema):
    """PATCH: any subset of the content fields (loaded with ``partial=True``)."""


class VariantPatchSchema(VariantWriteSchema):
    """PATCH: any subset of the variant's fields (loaded with ``partial=True``)."""
