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
from yipin.accounts.permissions import actor, load, supplier_scope
from yipin.api import NOT_BLANK, Blueprint, Pattern
from yipin.db import commit, db
from yipin.i18n import _l
from yipin.media import images

blp = Blueprint(
    "trace_api",
    __name__,
    description="Traceability: batches with their 承诺达标合格证, inspections, certifications,"
    " market-supervision sampling and the public trace data · 溯源：批次与承诺达标合格证、检测、"
    "认证、抽检与公开溯源信息",
)
DATES_RULE = (
    "Dates are not in the future; processed food has a production date, fresh produce a"
    " harvest date · 日期不晚于今天；加工食品须有生产日期，生鲜须有采收日期"
)
PERIOD_RULE = "valid_to is not before valid_from · 截止日期不早于起始日期"
IMAGE_RULE = "The file is a JPEG, PNG or WebP image · 文件须为 JPEG、PNG 或 WebP 图片"

READERS = (Role.SUPPLIER, Role.OPERATOR, Role.BUREAU)


# ----------------------------------------------------------------------------- schemas


class InspectionSchema(Schema):
    id = fields.Int(dump_only=True)
    item = fields.Str(
        required=True,
        validate=[validate.Length(min=1, max=80), Pattern(NOT_BLANK)],
        metadata={"example": "农药残留快检"},
    )
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
    quantity = fields.Int(required=True, validate=validate.Range(1, batches.MAX_QUANTITY))
    harvest_date = fields.Date(load_default=None, allow_none=True)
    production_date = fields.Date(load_default=None, allow_none=True)
    contact_phone = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Pattern(r"^ *(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})? *$"),
        metadata={"description": "Default: the supplier's contact phone · 默认为供应商联系电话"},
    )
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
    kind = fields.Enum(CertificationKind, by_value=True)
    number = fields.Str(validate=[validate.Length(min=1, max=60), Pattern(NOT_BLANK)])
    issuer = fields.Str(validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)])
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
    batch_code = fields.Str(
        required=True, validate=[validate.Length(min=1, max=24), Pattern(NOT_BLANK)]
    )
    sampled_on = fields.Date(required=True)
    agency = fields.Str(
        required=True, validate=[validate.Length(min=1, max=120), Pattern(NOT_BLANK)]
    )
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
    @blp.login_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Batch]:
        """Batches · 批次列表

        The batches the caller may see (their supplier's, their region's, or all), newest
        first; filter by status, product and variant.

        调用者可见的批次（本供应商、辖区内或全部），最新在前，可按状态、商品和规格筛选。"""
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

    @blp.arguments(
        BatchCreateSchema,
        example={
            "variant_id": 1,
            "base_name": "镇岗乡脐橙基地 3 号地块",
            "base_region_code": "360734100",
            "quantity": 500,
            "harvest_date": "2026-11-10",
            "inspections": [
                {
                    "item": "农药残留快检",
                    "result": "pass",
                    "inspected_on": "2026-11-11",
                    "inspector": "寻乌县农产品质量安全检测站",
                }
            ],
        },
    )
    @blp.response(201, BatchDetailSchema)
    @blp.rules(
        DATES_RULE,
        "The base lies in the product's origin county · 基地须在商品产地县内",
        "No inspection failed (``failed_inspection``) · 检测均须合格",
    )
    @blp.login_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> Batch:
        """Create a batch · 新建批次

        A batch (lot) of one of the caller's variants; its 承诺达标合格证 (commitment
        certificate) and public trace code are issued at once.

        为调用者的某一规格新建批次，立即出具承诺达标合格证并生成公开溯源码。"""
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
    @blp.login_required(*READERS)
    def get(self, batch_id: int) -> Batch:
        """One batch · 批次详情

        A batch with its certificate, inspections and units sold.

        批次及其合格证、检测记录和已售数量。"""
        return load(Batch, batch_id, options=_batch_options())


@blp.route("/batches/<int:batch_id>/close")
class BatchClose(MethodView):
    @blp.response(200, BatchDetailSchema)
    @blp.errors((409, "The batch is not active · 批次不在销售中"))
    @blp.login_required(Role.SUPPLIER, Role.OPERATOR)
    def post(self, batch_id: int) -> Batch:
        """Close a batch · 关闭批次

        The batch is sold out; it stays on record and traceable.

        批次已售完；记录保留，仍可溯源。"""
        batch = load(Batch, batch_id, change=True)
        batches.close_batch(db.session, actor(), batch.id)
        commit()
        return batch


@blp.route("/batches/<int:batch_id>/inspections")
class BatchInspections(MethodView):
    @blp.response(200, InspectionSchema(many=True))
    @blp.login_required(*READERS)
    def get(self, batch_id: int) -> list[Any]:
        """A batch's inspections · 批次检测记录

        The batch's inspections (rapid tests and lab reports), oldest first.

        批次的检测记录（快检和实验室报告），按时间先后。"""
        return list(load(Batch, batch_id).inspections)

    @blp.arguments(
        InspectionSchema,
        example={
            "item": "糖度",
            "result": "pass",
            "value": "13.2 °Brix",
            "inspected_on": "2026-11-12",
        },
    )
    @blp.response(201, InspectionSchema)
    @blp.rules("The test's date is not in the future · 检测日期不晚于今天")
    @blp.login_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any], batch_id: int) -> Any:
        """Record an inspection · 添加检测记录

        A failed one takes an active batch off sale at once.

        不合格的检测会立即使在售批次下架。"""
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
    @blp.login_required(*READERS)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Certification]:
        """Certifications · 认证证书

        The certificates in the caller's scope (绿色食品, 有机, 地理标志, 名特优新, SC …) with
        their state today: valid, expired, not yet valid or revoked.

        调用者范围内的认证证书（绿色食品、有机、地理标志、名特优新、食品生产许可等）及其当日
        状态：有效、已过期、未生效或已撤销。"""
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

    @blp.arguments(
        CertificationInSchema,
        example={
            "kind": "green_food",
            "number": "LB-18-2311360734A",
            "issuer": "中国绿色食品发展中心",
            "scope": "脐橙",
            "valid_from": "2024-01-01",
            "valid_to": "2027-12-31",
        },
    )
    @blp.response(201, SavedCertificationSchema)
    @blp.rules(
        PERIOD_RULE,
        "A food production licence's number is SC and 14 digits; a product named is the"
        " supplier's own · 食品生产许可证编号为 SC 加 14 位数字；所指商品须为本供应商的",
    )
    @blp.login_required(Role.SUPPLIER)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a certification · 登记认证证书

        A number that does not match the usual format of its kind is saved with
        ``warnings``; a malformed food production licence number is refused.

        编号不符合常见格式的证书会保存并返回 ``warnings``；食品生产许可证编号格式错误则拒绝。"""
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
    @blp.login_required(*READERS)
    def get(self, cert_id: int) -> Certification:
        """One certification · 认证证书详情

        A certificate in the caller's scope with its state today.

        调用者范围内的某一证书及其当日状态。"""
        return load(Certification, cert_id)

    @blp.arguments(CertificationPatchSchema, example={"valid_to": "2029-12-31"})
    @blp.response(200, SavedCertificationSchema)
    @blp.errors((409, "The certificate is revoked · 证书已撤销"))
    @blp.rules(PERIOD_RULE)
    @blp.login_required(Role.SUPPLIER, Role.OPERATOR)
    def patch(self, data: dict[str, Any], cert_id: int) -> Any:
        """Change a certification · 修改认证证书

        Any subset of its fields (e.g. a renewal's new dates); answers ``warnings`` as on
        registration.

        可修改任意字段（如续期后的新日期），与登记时一样返回 ``warnings``。"""
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
    @blp.errors((409, "Already revoked · 已撤销"))
    @blp.login_required(Role.SUPPLIER, Role.OPERATOR)
    def post(self, cert_id: int) -> Certification:
        """Revoke a certification · 撤销认证证书

        It stops showing anywhere at once.

        撤销后立即不再展示。"""
        cert = load(Certification, cert_id, change=True)
        certifications.revoke_certification(db.session, actor(), cert.id)
        commit()
        return cert


@blp.route("/certifications/<int:cert_id>/image")
class CertificationImage(MethodView):
    @blp.arguments(ImageUploadSchema, location="multipart")
    @blp.response(200, CertificationSchema)
    @blp.errors((409, "The certificate is revoked · 证书已撤销"), 413)
    @blp.rules(IMAGE_RULE)
    @blp.login_required(Role.SUPPLIER)
    def put(self, files: dict[str, Any], cert_id: int) -> Certification:
        """Upload a certification's image · 上传证书图片

        The scan or photo of the certificate (multipart ``image``: JPEG, PNG or WebP; its
        metadata is removed).

        上传证书扫描件或照片（multipart 的 ``image``：JPEG、PNG 或 WebP，去除元数据）。"""
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
    @blp.login_required(Role.OPERATOR)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[SamplingRecord]:
        """Sampling records · 抽检记录

        Market-supervision samples, newest first (operators); filter by result and batch.

        市场监管抽检记录（最新在前，仅平台运营），可按结果和批次筛选。"""
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

    @blp.arguments(
        SamplingInSchema,
        example={
            "batch_code": "GN0000000001",
            "sampled_on": "2026-11-20",
            "agency": "赣州市市场监督管理局",
            "report_number": "GZSJ-2026-1120-07",
            "result": "pass",
        },
    )
    @blp.response(201, SamplingOutcomeSchema)
    @blp.rules("The sampling day is not in the future · 抽检日期不晚于今天")
    @blp.login_required(Role.OPERATOR)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record a sample · 登记抽检结果

        A failed result delists the batch at once, tells its supplier and answers the orders
        that received the batch (no buyer names, phones or addresses).

        不合格结果会立即下架该批次、通知供应商，并返回收到该批次的订单（不含买家姓名、电话和
        地址）。"""
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
    @blp.login_required(Role.OPERATOR)
    def get(self, record_id: int) -> dict[str, Any]:
        """One sampling record · 抽检记录详情

        A sample; for a failed one, the orders that received the batch.

        某一抽检记录；不合格时附收到该批次的订单。"""
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


@blp.route(
    "/trace/<code>",
    parameters=[
        {
            "in": "path",
            "name": "code",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{1,24}$"},
            "description": "The batch's trace code, as on the 合格证 · 批次溯源码",
        }
    ],
)
class Trace(MethodView):
    @blp.response(200, TraceSchema)
    @blp.public
    def get(self, code: str) -> dict[str, Any]:
        """Trace a batch · 批次溯源

        What the QR code of a 合格证 leads to: the product, supplier, origin, base, dates,
        certificate, inspections, sampling and certifications of a batch, and whether it was
        recalled. No sign-in needed; no buyer data.

        合格证二维码指向的信息：批次的商品、供应商、产地、基地、日期、合格证、检测、抽检和认证，
        以及是否已召回。无需登录，不含买家信息。"""
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
