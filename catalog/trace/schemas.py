"""Marshmallow schemas of the traceability API: batches and their 合格证, inspections,
certificates, market-supervision samples and the public trace of a batch.

Every response body is described field by field (nested schemas, enums with their labels), so
the OpenAPI document is the contract a generated client relies on.
"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, validate

from catalog.models import (
    BATCH_STATUS_LABELS,
    CERTIFICATION_KIND_LABELS,
    CERTIFICATION_STATE_LABELS,
    COMMITMENT_BASIS_LABELS,
    INSPECTION_RESULT_LABELS,
    Batch,
    BatchStatus,
    CertificationKind,
    CertificationState,
    CommitmentBasis,
    InspectionResult,
)
from catalog.trace import queries
from catalog.trace.batches import MAX_QUANTITY
from catalog.trace.views import certificate_pdf_url, qr_svg_url, trace_url
from orders import queries as orders_queries
from suppliers.models import SUPPLIER_KIND_LABELS, SupplierKind
from yipin import clock, fields
from yipin.api import NOT_BLANK, Pattern
from yipin.db import db
from yipin.fields import ComputedEnum, ComputedInt, ComputedNested, ComputedStr, labelled_enum
from yipin.media import images

# ----------------------------------------------------------------------------- batches


class InspectionSchema(Schema):
    id = fields.Int(dump_only=True)
    item = fields.Str(
        required=True,
        validate=[validate.Length(min=1, max=80), Pattern(NOT_BLANK)],
        metadata={"example": "农药残留快检"},
    )
    method = fields.Str(load_default="", validate=validate.Length(max=80))
    result = labelled_enum(InspectionResult, INSPECTION_RESULT_LABELS, required=True)
    value = fields.Str(load_default="", validate=validate.Length(max=80))
    inspected_on = fields.Date(required=True)
    inspector = fields.Str(load_default="", validate=validate.Length(max=120))


class CertificateSchema(Schema):
    """The 承诺达标合格证 of a batch (the regulation's fields)."""

    number = fields.Str()
    product_name = fields.Str()
    grade_name = fields.Str()
    spec = fields.Str()
    quantity = fields.Int()
    quantity_text = fields.Str()
    total_net_weight_kg = fields.Str()
    origin = fields.Str()
    base_name = fields.Str()
    issued_on = fields.Date()
    produced_on = fields.Date(allow_none=True)
    committing_party = fields.Str()
    contact_phone = fields.Str()
    statements = fields.List(fields.Str())
    basis = fields.Str()


class BatchLinksSchema(Schema):
    trace_url = fields.Url(metadata={"description": "The public traceability page (QR target)."})
    certificate_pdf_url = fields.Url()
    qr_svg_url = fields.Url()


def _batch_links(batch: Batch) -> dict[str, str]:
    return {
        "trace_url": trace_url(batch.code),
        "certificate_pdf_url": certificate_pdf_url(batch.code),
        "qr_svg_url": qr_svg_url(batch.code),
    }


class BatchSchema(Schema):
    id = fields.Int(dump_only=True)
    code = fields.Str(dump_only=True)
    status = labelled_enum(BatchStatus, BATCH_STATUS_LABELS, dump_only=True)
    status_reason = fields.Str(allow_none=True, dump_only=True)
    delisted_at = fields.DateTime(allow_none=True, dump_only=True)
    supplier_id = fields.Int(dump_only=True)
    variant_id = fields.Int()
    product_id = fields.Int(attribute="variant.product_id", dump_only=True)
    product_name = fields.Str(attribute="variant.product.name", dump_only=True)
    spec = fields.Str(attribute="variant.spec", dump_only=True)
    base_name = fields.Str()
    base_region_code = fields.Str()
    base_region_name = fields.Str(attribute="base_region.full_name", dump_only=True)
    harvest_date = fields.Date(allow_none=True)
    production_date = fields.Date(allow_none=True)
    quantity = fields.Int()
    certificate = ComputedNested(CertificateSchema, queries.certificate_fields)
    inspections = fields.List(fields.Nested(InspectionSchema), dump_only=True)
    links = ComputedNested(BatchLinksSchema, _batch_links)
    created_at = fields.DateTime(dump_only=True)


class BatchDetailSchema(BatchSchema):
    units_sold = ComputedInt(lambda b: orders_queries.units_sold_of_batch(db.session, b.id))


class BatchCreateSchema(Schema):
    variant_id = fields.Int(required=True)
    base_name = fields.Str(
        required=True,
        validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)],
        metadata={
            "description": "The base or plot · 基地或地块",
            "example": "镇岗乡脐橙基地 3 号地块",
        },
    )
    base_region_code = fields.Str(
        required=True,
        validate=Pattern(r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$"),
        metadata={"description": "Where the base lies: county, township or village · 基地所在地"},
    )
    quantity = fields.Int(required=True, validate=validate.Range(1, MAX_QUANTITY))
    harvest_date = fields.Date(load_default=None, allow_none=True)
    production_date = fields.Date(load_default=None, allow_none=True)
    contact_phone = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Pattern(r"^ *(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})? *$"),
        metadata={"description": "Default: the supplier's contact phone · 默认为供应商联系电话"},
    )
    basis = labelled_enum(
        CommitmentBasis, COMMITMENT_BASIS_LABELS, load_default=CommitmentBasis.SELF_TEST
    )
    inspections = fields.List(fields.Nested(InspectionSchema), load_default=list)


class BatchListArgs(Schema):
    status = labelled_enum(BatchStatus, BATCH_STATUS_LABELS, load_default=None)
    product_id = fields.Int(load_default=None)
    variant_id = fields.Int(load_default=None)


# ----------------------------------------------------------------------------- certifications


class CertificationSchema(Schema):
    id = fields.Int(dump_only=True)
    supplier_id = fields.Int(dump_only=True)
    product_id = fields.Int(allow_none=True)
    kind = labelled_enum(CertificationKind, CERTIFICATION_KIND_LABELS)
    kind_label = ComputedStr(lambda c: CERTIFICATION_KIND_LABELS(c.kind))
    number = fields.Str()
    issuer = fields.Str()
    scope = fields.Str()
    valid_from = fields.Date()
    valid_to = fields.Date()
    state = ComputedEnum(
        CertificationState,
        lambda c: c.state_on(clock.today_local()),
        by_value=True,
        metadata={"description": "Today in China. " + CERTIFICATION_STATE_LABELS.describe()},
    )
    revoked_at = fields.DateTime(allow_none=True, dump_only=True)
    image_url = ComputedStr(
        lambda c: images.url(c.image, "large") if c.image else None, allow_none=True
    )
    created_at = fields.DateTime(dump_only=True)


class WarningSchema(Schema):
    code = fields.Str()
    field = fields.Str()
    message = fields.Str()


class SavedCertificationSchema(CertificationSchema):
    warnings = fields.List(fields.Nested(WarningSchema))


class CertificationInSchema(Schema):
    kind = labelled_enum(CertificationKind, CERTIFICATION_KIND_LABELS, required=True)
    number = fields.Str(
        required=True, validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)]
    )
    issuer = fields.Str(
        required=True, validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)]
    )
    scope = fields.Str(load_default="", validate=validate.Length(max=2000))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    product_id = fields.Int(load_default=None, allow_none=True)


class CertificationPatchSchema(Schema):
    kind = labelled_enum(CertificationKind, CERTIFICATION_KIND_LABELS)
    number = fields.Str(validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)])
    issuer = fields.Str(validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)])
    scope = fields.Str(validate=validate.Length(max=2000))
    valid_from = fields.Date()
    valid_to = fields.Date()
    product_id = fields.Int(allow_none=True)


class CertificationListArgs(Schema):
    product_id = fields.Int(load_default=None)
    state = labelled_enum(CertificationState, CERTIFICATION_STATE_LABELS, load_default=None)


class ImageUploadSchema(Schema):
    image = Upload(required=True)


# ----------------------------------------------------------------------------- sampling


class SamplingInSchema(Schema):
    batch_code = fields.Str(
        required=True, validate=[validate.Length(min=1, max=24), Pattern(NOT_BLANK)]
    )
    sampled_on = fields.Date(required=True)
    agency = fields.Str(
        required=True, validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)]
    )
    report_number = fields.Str(load_default="", validate=validate.Length(max=60))
    items = fields.Str(load_default="", validate=validate.Length(max=2000))
    result = labelled_enum(InspectionResult, INSPECTION_RESULT_LABELS, required=True)
    notes = fields.Str(load_default="", validate=validate.Length(max=4000))


class SamplingRecordSchema(Schema):
    id = fields.Int()
    batch_id = fields.Int()
    batch_code = fields.Str(attribute="batch.code")
    batch_status = labelled_enum(BatchStatus, BATCH_STATUS_LABELS, attribute="batch.status")
    sampled_on = fields.Date()
    agency = fields.Str()
    report_number = fields.Str()
    items = fields.Str()
    result = labelled_enum(InspectionResult, INSPECTION_RESULT_LABELS)
    notes = fields.Str()
    recorded_by_id = fields.Int()
    recorded_at = fields.DateTime()


class ReceivedOrderSchema(Schema):
    """An order that received a batch (operators only; no recipient name, phone or address)."""

    order_id = fields.Int()
    number = fields.Str()
    placed_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    status = fields.Str(metadata={"description": "The sub-order's status (orders' values)."})
    quantity = fields.Int()
    county_code = fields.Str()
    county_name = fields.Str()


class SamplingOutcomeSchema(Schema):
    record = fields.Nested(SamplingRecordSchema)
    batch_delisted = fields.Bool()
    orders = fields.List(fields.Nested(ReceivedOrderSchema))


class SamplingListArgs(Schema):
    result = labelled_enum(InspectionResult, INSPECTION_RESULT_LABELS, load_default=None)
    batch_code = fields.Str(load_default=None)


# ----------------------------------------------------------------------------- the public trace


class GradeCriterionSchema(Schema):
    criterion = fields.Str()
    value = fields.Str()


class TraceProductSchema(Schema):
    name = fields.Str()
    spec = fields.Str()
    grade = fields.Str(allow_none=True)
    grade_criteria = fields.List(fields.Nested(GradeCriterionSchema))
    standard = fields.Str(allow_none=True, metadata={"description": "e.g. GB/T 21488-2008"})
    standard_title = fields.Str(allow_none=True)
    brand = fields.Str(
        allow_none=True,
        metadata={"description": "Only while the supplier holds a valid brand authorisation."},
    )
    category = fields.Str()


class TraceSupplierSchema(Schema):
    name = fields.Str()
    kind = labelled_enum(SupplierKind, SUPPLIER_KIND_LABELS)
    kind_label = fields.Str()
    county_code = fields.Str()
    county = fields.Str(allow_none=True)


class PlaceSchema(Schema):
    code = fields.Str(metadata={"description": "GB/T 2260 code, down to the village (12 digits)"})
    name = fields.Str()


class PublicSamplingSchema(Schema):
    sampled_on = fields.Date()
    agency = fields.Str()
    report_number = fields.Str()
    items = fields.Str()
    result = labelled_enum(InspectionResult, INSPECTION_RESULT_LABELS)


class PublicInspectionSchema(Schema):
    item = fields.Str()
    method = fields.Str()
    result = labelled_enum(InspectionResult, INSPECTION_RESULT_LABELS)
    value = fields.Str()
    inspected_on = fields.Date()
    inspector = fields.Str()


class PublicCertificationSchema(Schema):
    kind = labelled_enum(CertificationKind, CERTIFICATION_KIND_LABELS)
    kind_label = fields.Str()
    number = fields.Str()
    issuer = fields.Str()
    scope = fields.Str()
    valid_from = fields.Date()
    valid_to = fields.Date()
    state = labelled_enum(CertificationState, CERTIFICATION_STATE_LABELS)


class TraceLinksSchema(Schema):
    page = fields.Url()
    certificate_pdf = fields.Url()
    qr_svg = fields.Url()


class TraceSchema(Schema):
    """The public traceability page as JSON. Contains no buyer data."""

    code = fields.Str()
    status = labelled_enum(BatchStatus, BATCH_STATUS_LABELS)
    recalled = fields.Bool()
    recall_reason = fields.Str(allow_none=True)
    delisted_at = fields.DateTime(allow_none=True)
    product = fields.Nested(TraceProductSchema)
    supplier = fields.Nested(TraceSupplierSchema)
    origin = fields.Nested(PlaceSchema)
    base_name = fields.Str()
    harvest_date = fields.Date(allow_none=True)
    production_date = fields.Date(allow_none=True)
    quantity = fields.Int()
    units_sold = fields.Int()
    certificate = fields.Nested(CertificateSchema)
    inspections = fields.List(fields.Nested(PublicInspectionSchema))
    samplings = fields.List(fields.Nested(PublicSamplingSchema))
    certifications = fields.List(fields.Nested(PublicCertificationSchema))
    links = fields.Nested(TraceLinksSchema)


def public_trace(view: queries.TraceView) -> dict[str, Any]:
    """What ``TraceSchema`` dumps for a batch's trace view."""
    batch, grade, standard, supplier = view.batch, view.grade, view.standard, view.supplier
    return {
        "code": batch.code,
        "status": batch.status,
        "recalled": view.recalled,
        "recall_reason": batch.status_reason if view.recalled else None,
        "delisted_at": batch.delisted_at if view.recalled else None,
        "product": {
            "name": view.product.name,
            "spec": view.variant.spec,
            "grade": grade.name if grade else None,
            "grade_criteria": grade.criteria if grade else [],
            "standard": standard.code if standard else None,
            "standard_title": standard.title if standard else None,
            "brand": view.brand.name if view.brand else None,
            "category": view.product.category.name,
        },
        "supplier": {
            "name": supplier.name,
            "kind": supplier.kind,
            "kind_label": SUPPLIER_KIND_LABELS(supplier.kind),
            "county_code": supplier.county_code,
            "county": view.supplier_county.full_name if view.supplier_county else None,
        },
        "origin": {"code": view.origin.code, "name": view.origin.full_name},
        "base_name": batch.base_name,
        "harvest_date": batch.harvest_date,
        "production_date": batch.production_date,
        "quantity": batch.quantity,
        "units_sold": view.units_sold,
        "certificate": view.certificate,
        "inspections": view.inspections,
        "samplings": view.samplings,
        "certifications": [
            {
                "kind": cert.kind,
                "kind_label": CERTIFICATION_KIND_LABELS(cert.kind),
                "number": cert.number,
                "issuer": cert.issuer,
                "scope": cert.scope,
                "valid_from": cert.valid_from,
                "valid_to": cert.valid_to,
                "state": state,
            }
            for cert, state in view.certifications
        ],
        "links": {
            "page": trace_url(batch.code),
            "certificate_pdf": certificate_pdf_url(batch.code),
            "qr_svg": qr_svg_url(batch.code),
        },
    }
