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
from yipin.accounts.permissions import actor, load, supplier_scope
from yipin.api import Blueprint
from yipin.db import commit, db

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
            "batch_delisted": record.batch.is_recalled,
            "orders": orders_queries.orders_with_batch(db.session, record.batch_id)
            if failed
            else [],
        }


# ----------------------------------------------------------------------------- public


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
        view = queries.trace_view(db.session, code)
        if view is None:
            raise UnknownTraceCode()
        return public_trace(view)
