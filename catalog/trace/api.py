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
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload, selectinload

from catalog.models import Batch, Certification, InspectionResult, SamplingRecord, Variant
from catalog.trace import batches, certifications, queries, sampling
from catalog.trace.errors import UnknownTraceCode
from catalog.trace.schemas import (
    BatchCreateSchema,
    BatchDetailSchema,
    BatchListArgs,
    BatchSchema,
    CertificationInSchema,
    CertificationListArgs,
    CertificationPatchSchema,
    CertificationSchema,
    ImageUploadSchema,
    InspectionSchema,
    SamplingInSchema,
    SamplingListArgs,
    SamplingOutcomeSchema,
    SamplingRecordSchema,
    SavedCertificationSchema,
    TraceSchema,
    public_trace,
)
from orders import queries as orders_queries
from yipin import clock
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db

blp = Blueprint(
    "trace_api", __name__, description="Batches, 合格证, inspections, certifications, sampling"
)

READERS = (Role.SUPPLIER, Role.OPERATOR, Role.BUREAU)


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
        stmt = supplier_scope(queries.batches_stmt(**args), Batch.supplier_id)
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        stmt = (
            stmt.options(*_batch_options())
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
        stmt = supplier_scope(
            queries.certifications_stmt(**args, day=clock.today_local()),
            Certification.supplier_id,
        )
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        stmt = (
            stmt.options(joinedload(Certification.image))
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
        stmt = queries.samples_stmt(**args)
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        stmt = (
            stmt.options(joinedload(SamplingRecord.batch))
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
            "batch_delisted": record.batch.is_recalled,
            "orders": orders_queries.orders_with_batch(db.session, record.batch_id)
            if failed
            else [],
        }


# ----------------------------------------------------------------------------- public


@blp.route("/trace/<code>")
class Trace(MethodView):
    @blp.response(200, TraceSchema)
    def get(self, code: str) -> dict[str, Any]:
        """Public: what the QR code of a 合格证 leads to. No login needed; no buyer data."""
        view = queries.trace_view(db.session, code)
        if view is None:
            raise UnknownTraceCode()
        return public_trace(view)
