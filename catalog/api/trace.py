"""Batches, inspections, certifications and sampling JSON API.

- ``/batches`` (supplier staff create; operators and bureau read in scope), ``/batches/<id>``,
  ``/batches/<id>/close``, ``/batches/<id>/inspections``
- ``/certifications`` with ``state`` (valid / expired / not_yet_valid / revoked, computed for
  today) and, on create and change, ``warnings`` about number formats (not refused, except SC)
- ``/sampling-records`` (operators): a failed result returns the orders that received the batch
- ``/trace/<code>``: the public traceability data of a batch (no buyer data)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import joinedload, selectinload

from catalog import batches, certifications, sampling
from catalog.models import (
    Batch,
    BatchStatus,
    Certification,
    CertificationKind,
    InspectionResult,
    SamplingRecord,
    Variant,
)
from catalog.trace import UnknownTraceCode, trace_url
from yipin import clock
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db
from yipin.i18n import _l
from yipin.media import images

blp = Blueprint(
    "trace_api", __name__, description="Batches, 合格证, inspections, certifications, sampling"
)

READERS = (Role.SUPPLIER, Role.OPERATOR, Role.BUREAU)


# ----------------------------------------------------------------------------- schemas


class InspectionSchema(Schema):
    id = fields.Int(dump_only=True)
    item = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    method = fields.Str(load_default="", validate=validate.Length(max=80))
    result = fields.Enum(InspectionResult, by_value=True, required=True)
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


def _batch_links(batch: Batch) -> dict[str, str]:
    return {
        "trace_url": trace_url(batch.code),
        "certificate_pdf_url": url_for("trace.certificate_pdf", code=batch.code, _external=True),
        "qr_svg_url": url_for("trace.qr", code=batch.code, _external=True),
    }


class BatchSchema(Schema):
    id = fields.Int(dump_only=True)
    code = fields.Str(dump_only=True)
    status = fields.Enum(BatchStatus, by_value=True, dump_only=True)
    status_reason = fields.Str(allow_none=True, dump_only=True)
    delisted_at = fields.DateTime(allow_none=True, dump_only=True)
    supplier_id = fields.Int(dump_only=True)
    variant_id = fields.Int()
    product_id = fields.Function(lambda b: b.variant.product_id)
    product_name = fields.Function(lambda b: b.variant.product.name)
    spec = fields.Function(lambda b: b.variant.spec)
    base_name = fields.Str()
    base_region_code = fields.Str()
    base_region_name = fields.Function(lambda b: b.base_region.full_name)
    harvest_date = fields.Date(allow_none=True)
    production_date = fields.Date(allow_none=True)
    quantity = fields.Int()
    certificate = fields.Function(lambda b: CertificateSchema().dump(batches.certificate_fields(b)))
    inspections = fields.List(fields.Nested(InspectionSchema), dump_only=True)
    links = fields.Function(_batch_links)
    created_at = fields.DateTime(dump_only=True)


class BatchDetailSchema(BatchSchema):
    units_sold = fields.Function(lambda b: batches.units_sold(db.session, b.id))


class BatchCreateSchema(Schema):
    variant_id = fields.Int(required=True)
    base_name = fields.Str(required=True, validate=validate.Length(min=1, max=120))
    base_region_code = fields.Str(required=True, validate=validate.Length(min=6, max=12))
    quantity = fields.Int(required=True, validate=validate.Range(1, batches.MAX_QUANTITY))
    harvest_date = fields.Date(load_default=None, allow_none=True)
    production_date = fields.Date(load_default=None, allow_none=True)
    contact_phone = fields.Str(load_default=None, allow_none=True)
    basis = fields.Enum(
        batches.CommitmentBasis, by_value=True, load_default=batches.CommitmentBasis.SELF_TEST
    )
    inspections = fields.List(fields.Nested(InspectionSchema), load_default=list)


class BatchListArgs(Schema):
    status = fields.Enum(BatchStatus, by_value=True, load_default=None)
    product_id = fields.Int(load_default=None)
    variant_id = fields.Int(load_default=None)


class CertificationSchema(Schema):
    id = fields.Int(dump_only=True)
    supplier_id = fields.Int(dump_only=True)
    product_id = fields.Int(allow_none=True)
    kind = fields.Enum(CertificationKind, by_value=True)
    kind_label = fields.Function(lambda c: certifications.kind_label(c.kind))
    number = fields.Str()
    issuer = fields.Str()
    scope = fields.Str()
    valid_from = fields.Date()
    valid_to = fields.Date()
    state = fields.Function(lambda c: str(certifications.certification_state(c)))
    revoked_at = fields.DateTime(allow_none=True, dump_only=True)
    image_url = fields.Function(lambda c: images.url(c.image, "large") if c.image else None)
    created_at = fields.DateTime(dump_only=True)


class WarningSchema(Schema):
    code = fields.Str()
    field = fields.Str()
    message = fields.Str()


class SavedCertificationSchema(CertificationSchema):
    warnings = fields.List(fields.Nested(WarningSchema))


class CertificationInSchema(Schema):
    kind = fields.Enum(CertificationKind, by_value=True, required=True)
    number = fields.Str(required=True, validate=validate.Length(min=1, max=60))
    issuer = fields.Str(required=True, validate=validate.Length(min=1, max=120))
    scope = fields.Str(load_default="", validate=validate.Length(max=2000))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    product_id = fields.Int(load_default=None, allow_none=True)


class CertificationPatchSchema(Schema):
    kind = fields.Enum(CertificationKind, by_value=True)
    number = fields.Str(validate=validate.Length(min=1, max=60))
    issuer = fields.Str(validate=validate.Length(min=1, max=120))
    scope = fields.Str(validate=validate.Length(max=2000))
    valid_from = fields.Date()
    valid_to = fields.Date()
    product_id = fields.Int(allow_none=True)


class CertificationListArgs(Schema):
    product_id = fields.Int(load_default=None)
    state = fields.Enum(certifications.CertificationState, by_value=True, load_default=None)


class ImageUploadSchema(Schema):
    image = Upload(required=True)


class SamplingInSchema(Schema):
    batch_code = fields.Str(required=True, validate=validate.Length(min=1, max=24))
    sampled_on = fields.Date(required=True)
    agency = fields.Str(required=True, validate=validate.Length(min=1, max=120))
    report_number = fields.Str(load_default="", validate=validate.Length(max=60))
    items = fields.Str(load_default="", validate=validate.Length(max=2000))
    result = fields.Enum(InspectionResult, by_value=True, required=True)
    notes = fields.Str(load_default="", validate=validate.Length(max=4000))


class SamplingRecordSchema(Schema):
    id = fields.Int()
    batch_id = fields.Int()
    batch_code = fields.Function(lambda r: r.batch.code)
    batch_status = fields.Function(lambda r: str(r.batch.status))
    sampled_on = fields.Date()
    agency = fields.Str()
    report_number = fields.Str()
    items = fields.Str()
    result = fields.Enum(InspectionResult, by_value=True)
    notes = fields.Str()
    recorded_by_id = fields.Int()
    recorded_at = fields.DateTime()


class ReceivedOrderSchema(Schema):
    """An order that received a batch (operators only; no recipient name, phone or address)."""

    order_id = fields.Int()
    number = fields.Str()
    placed_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    status = fields.Str()
    quantity = fields.Int()
    county_code = fields.Str()
    county_name = fields.Str()


class SamplingOutcomeSchema(Schema):
    record = fields.Nested(SamplingRecordSchema)
    batch_delisted = fields.Bool()
    orders = fields.List(fields.Nested(ReceivedOrderSchema))


class SamplingListArgs(Schema):
    result = fields.Enum(InspectionResult, by_value=True, load_default=None)
    batch_code = fields.Str(load_default=None)


# ----------------------------------------------------------------------------- batches


def _batch_options() -> list[Any]:
    return [
        joinedload(Batch.variant).joinedload(Variant.product),
        selectinload(Batch.inspections),
    ]


@blp.route("/batches")
class Batches(MethodView):
    @blp.arguments(BatchListArgs, location="query")
    @blp.response(200, BatchSchema(many=True))
    @blp.paginate()
    @role_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Batch]:
        """Batches the caller may see (own supplier, bureau region, or all), newest first."""
        stmt = supplier_scope(sa.select(Batch), Batch.supplier_id)
        if args["status"] is not None:
            stmt = stmt.where(Batch.status == args["status"])
        if args["variant_id"] is not None:
            stmt = stmt.where(Batch.variant_id == args["variant_id"])
        if args["product_id"] is not None:
            stmt = stmt.join(Variant, Variant.id == Batch.variant_id).where(
                Variant.product_id == args["product_id"]
            )
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        )
        stmt = (
            stmt.order_by(Batch.created_at.desc(), Batch.id.desc())
            .options(*_batch_options())
            .limit(pagination_parameters.page_size)
            .offset(pagination_parameters.first_item)
        )
        return list(db.session.scalars(stmt).unique())

    @blp.arguments(BatchCreateSchema)
    @blp.response(201, BatchDetailSchema)
    @role_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> Batch:
        """Create a batch of one of your variants; its 承诺达标合格证 is issued at once.

        A batch with a failed inspection is refused (422 ``failed_inspection``).
        """
        user = actor()
        draft = batches.BatchDraft(
            **{k: v for k, v in data.items() if k != "inspections"},
            inspections=[batches.InspectionDraft(**row) for row in data["inspections"]],
        )
        batch = batches.create_batch(db.session, user, user.supplier_id, draft)
        commit()
        return batch


@blp.route("/batches/<int:batch_id>")
class BatchById(MethodView):
    @blp.response(200, BatchDetailSchema)
    @role_required(*READERS)
    def get(self, batch_id: int) -> Batch:
        """One batch with its certificate, inspections and units sold."""
        return load(Batch, batch_id, options=_batch_options())


@blp.route("/batches/<int:batch_id>/close")
class BatchClose(MethodView):
    @blp.response(200, BatchDetailSchema)
    @role_required(Role.SUPPLIER, Role.OPERATOR)
    def post(self, batch_id: int) -> Batch:
        """Close a batch (sold out). It stays on record and traceable."""
        batch = load(Batch, batch_id, change=True)
        batches.close_batch(db.session, actor(), batch.id)
        commit()
        return batch


@blp.route("/batches/<int:batch_id>/inspections")
class BatchInspections(MethodView):
    @blp.response(200, InspectionSchema(many=True))
    @role_required(*READERS)
    def get(self, batch_id: int) -> list[Any]:
        """The batch's inspections (快检 and lab reports), oldest first."""
        return list(load(Batch, batch_id).inspections)

    @blp.arguments(InspectionSchema)
    @blp.response(201, InspectionSchema)
    @role_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any], batch_id: int) -> Any:
        """Record a test; a failed one takes an active batch off sale at once."""
        batch = load(Batch, batch_id, change=True)
        row = batches.add_inspection(db.session, actor(), batch.id, batches.InspectionDraft(**data))
        commit()
        return row


# ----------------------------------------------------------------------------- certifications


@blp.route("/certifications")
class Certifications(MethodView):
    @blp.arguments(CertificationListArgs, location="query")
    @blp.response(200, CertificationSchema(many=True))
    @blp.paginate()
    @role_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Certification]:
        """Certificates in the caller's scope with their state today."""
        stmt = supplier_scope(sa.select(Certification), Certification.supplier_id)
        if args["product_id"] is not None:
            stmt = stmt.where(Certification.product_id == args["product_id"])
        state = args["state"]
        if state is not None:
            today = clock.today_local()
            S = certifications.CertificationState
            conditions = {
                S.REVOKED: Certification.revoked_at.is_not(None),
                S.VALID: sa.and_(
                    Certification.revoked_at.is_(None),
                    Certification.valid_from <= today,
                    Certification.valid_to >= today,
                ),
                S.EXPIRED: sa.and_(
                    Certification.revoked_at.is_(None), Certification.valid_to < today
                ),
                S.NOT_YET_VALID: sa.and_(
                    Certification.revoked_at.is_(None), Certification.valid_from > today
                ),
            }
            stmt = stmt.where(conditions[state])
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        )
        stmt = (
            stmt.order_by(Certification.valid_to.desc(), Certification.id)
            .options(joinedload(Certification.image))
            .limit(pagination_parameters.page_size)
            .offset(pagination_parameters.first_item)
        )
        return list(db.session.scalars(stmt).unique())

    @blp.arguments(CertificationInSchema)
    @blp.response(201, SavedCertificationSchema)
    @role_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a certificate. A number that does not match the usual format is saved with
        ``warnings``; a malformed food production licence (SC + 14 digits) is refused."""
        user = actor()
        saved = certifications.add_certification(
            db.session, user, user.supplier_id, certifications.CertificationDraft(**data)
        )
        commit()
        return _with_warnings(saved)


def _with_warnings(saved: certifications.SavedCertification) -> Certification:
    cert = saved.certification
    cert.warnings = [w.as_dict() for w in saved.warnings]  # type: ignore[attr-defined]
    return cert


@blp.route("/certifications/<int:cert_id>")
class CertificationById(MethodView):
    @blp.response(200, CertificationSchema)
    @role_required(*READERS)
    def get(self, cert_id: int) -> Certification:
        return load(Certification, cert_id)

    @blp.arguments(CertificationPatchSchema)
    @blp.response(200, SavedCertificationSchema)
    @role_required(Role.SUPPLIER, Role.OPERATOR)
    def patch(self, data: dict[str, Any], cert_id: int) -> Any:
        """Change a certificate (e.g. a renewal's new dates); returns ``warnings`` as on create."""
        cert = load(Certification, cert_id, change=True)
        current = {
            "kind": cert.kind,
            "number": cert.number,
            "issuer": cert.issuer,
            "scope": cert.scope,
            "valid_from": cert.valid_from,
            "valid_to": cert.valid_to,
            "product_id": cert.product_id,
        }
        saved = certifications.edit_certification(
            db.session, actor(), cert.id, certifications.CertificationDraft(**{**current, **data})
        )
        commit()
        return _with_warnings(saved)


@blp.route("/certifications/<int:cert_id>/revoke")
class CertificationRevoke(MethodView):
    @blp.response(200, CertificationSchema)
    @role_required(Role.SUPPLIER, Role.OPERATOR)
    def post(self, cert_id: int) -> Certification:
        """Revoke a certificate; it stops showing anywhere at once."""
        cert = load(Certification, cert_id, change=True)
        certifications.revoke_certification(db.session, actor(), cert.id)
        commit()
        return cert


@blp.route("/certifications/<int:cert_id>/image")
class CertificationImage(MethodView):
    @blp.arguments(ImageUploadSchema, location="files")
    @blp.response(200, CertificationSchema)
    @role_required(Role.SUPPLIER)
    def put(self, files: dict[str, Any], cert_id: int) -> Certification:
        """Upload the scan or photo of a certificate (JPEG, PNG or WebP; EXIF removed)."""
        cert = load(Certification, cert_id, change=True)
        current = certifications.CertificationDraft(
            kind=cert.kind,
            number=cert.number,
            issuer=cert.issuer,
            scope=cert.scope,
            valid_from=cert.valid_from,
            valid_to=cert.valid_to,
            product_id=cert.product_id,
        )
        certifications.edit_certification(
            db.session, actor(), cert.id, current, image=files["image"].stream
        )
        commit()
        return cert


# ----------------------------------------------------------------------------- sampling


@blp.route("/sampling-records")
class SamplingRecords(MethodView):
    @blp.arguments(SamplingListArgs, location="query")
    @blp.response(200, SamplingRecordSchema(many=True))
    @blp.paginate()
    @role_required(Role.OPERATOR)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[SamplingRecord]:
        """Market-supervision samples, newest first (operators)."""
        stmt = sa.select(SamplingRecord).join(Batch, Batch.id == SamplingRecord.batch_id)
        if args["result"] is not None:
            stmt = stmt.where(SamplingRecord.result == args["result"])
        if args["batch_code"]:
            stmt = stmt.where(Batch.code == batches.normalise_code(args["batch_code"]))
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        )
        stmt = (
            stmt.order_by(SamplingRecord.recorded_at.desc(), SamplingRecord.id.desc())
            .options(joinedload(SamplingRecord.batch))
            .limit(pagination_parameters.page_size)
            .offset(pagination_parameters.first_item)
        )
        return list(db.session.scalars(stmt).unique())

    @blp.arguments(SamplingInSchema)
    @blp.response(201, SamplingOutcomeSchema)
    @role_required(Role.OPERATOR)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record a sample. A failed result delists the batch at once, tells its supplier and
        returns the orders that received the batch."""
        outcome = sampling.record_sample(db.session, actor(), sampling.SamplingDraft(**data))
        commit()
        return {
            "record": outcome.record,
            "batch_delisted": outcome.delisted,
            "orders": outcome.orders,
        }


@blp.route("/sampling-records/<int:record_id>")
class SamplingRecordById(MethodView):
    @blp.response(200, SamplingOutcomeSchema)
    @role_required(Role.OPERATOR)
    def get(self, record_id: int) -> dict[str, Any]:
        """One sample; for a failed one, the orders that received the batch."""
        record = load(SamplingRecord, record_id)
        failed = record.result == InspectionResult.FAIL
        return {
            "record": record,
            "batch_delisted": record.batch.status == BatchStatus.DELISTED,
            "orders": batches.orders_with_batch(db.session, record.batch_id) if failed else [],
        }


# ----------------------------------------------------------------------------- public


class PublicCertificationSchema(Schema):
    kind = fields.Enum(CertificationKind, by_value=True)
    kind_label = fields.Function(lambda c: certifications.kind_label(c.kind))
    number = fields.Str()
    issuer = fields.Str()
    scope = fields.Str()
    valid_from = fields.Date()
    valid_to = fields.Date()


class PublicInspectionSchema(Schema):
    item = fields.Str()
    method = fields.Str()
    result = fields.Enum(InspectionResult, by_value=True)
    value = fields.Str()
    inspected_on = fields.Date()
    inspector = fields.Str()


class TraceSchema(Schema):
    """The public traceability page as JSON. Contains no buyer data."""

    code = fields.Str()
    status = fields.Str()
    recalled = fields.Bool()
    recall_reason = fields.Str(allow_none=True)
    delisted_at = fields.DateTime(allow_none=True)
    product = fields.Dict()
    supplier = fields.Dict()
    origin = fields.Dict()
    base_name = fields.Str()
    harvest_date = fields.Date(allow_none=True)
    production_date = fields.Date(allow_none=True)
    quantity = fields.Int()
    units_sold = fields.Int()
    certificate = fields.Nested(CertificateSchema)
    inspections = fields.List(fields.Nested(PublicInspectionSchema))
    samplings = fields.List(fields.Dict())
    certifications = fields.List(fields.Dict())
    links = fields.Dict()


@blp.route("/trace/<code>")
class Trace(MethodView):
    @blp.response(200, TraceSchema)
    def get(self, code: str) -> dict[str, Any]:
        """Public: what the QR code of a 合格证 leads to. No login needed; no buyer data."""
        view = batches.trace_view(db.session, code)
        if view is None:
            raise UnknownTraceCode()
        b = view.batch
        public_cert = PublicCertificationSchema()
        return {
            "code": b.code,
            "status": str(b.status),
            "recalled": view.recalled,
            "recall_reason": b.status_reason if view.recalled else None,
            "delisted_at": b.delisted_at if view.recalled else None,
            "product": {
                "name": view.product.name,
                "spec": view.variant.spec,
                "grade": view.grade.name if view.grade else None,
                "grade_criteria": view.grade.criteria if view.grade else [],
                "standard": view.standard.code if view.standard else None,
                "standard_title": view.standard.title if view.standard else None,
                "brand": view.brand.name if view.brand else None,
                "category": view.product.category.name,
            },
            "supplier": {
                "name": view.supplier.name,
                "kind": str(view.supplier.kind),
                "kind_label": str(_supplier_kind(view.supplier.kind)),
                "county_code": view.supplier.county_code,
                "county": view.supplier_county.full_name if view.supplier_county else None,
            },
            "origin": {"code": view.origin.code, "name": view.origin.full_name},
            "base_name": b.base_name,
            "harvest_date": b.harvest_date,
            "production_date": b.production_date,
            "quantity": b.quantity,
            "units_sold": view.units_sold,
            "certificate": view.certificate,
            "inspections": view.inspections,
            "samplings": [
                {
                    "sampled_on": s.sampled_on.isoformat(),
                    "agency": s.agency,
                    "report_number": s.report_number,
                    "items": s.items,
                    "result": str(s.result),
                }
                for s in view.samplings
            ],
            "certifications": [
                {**public_cert.dump(c), "state": str(state)} for c, state in view.certifications
            ],
            "links": {
                "page": trace_url(b.code),
                "certificate_pdf": url_for("trace.certificate_pdf", code=b.code, _external=True),
                "qr_svg": url_for("trace.qr", code=b.code, _external=True),
            },
        }


def _supplier_kind(kind: Any) -> Any:
    from suppliers.labels import KIND_LABELS

    return KIND_LABELS.get(kind, _l("Supplier"))
