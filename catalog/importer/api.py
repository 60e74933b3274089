"""Bulk import JSON API: upload a CSV/XLSX file, follow its progress, download its error report.

``POST /api/v1/imports`` (multipart ``file``; operators add ``supplier_id``) answers 202 with the
job; the import runs as a job (RQ worker, or in-process on the embedded default). Poll
``GET /api/v1/imports/<id>`` for ``processed_rows / total_rows`` and the errors.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, abort
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, validate

from catalog import importer
from catalog.models import IMPORT_STATUS_LABELS, ImportJob, ImportStatus
from yipin import exports, fields
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, supplier_scope
from yipin.api import Blueprint, page_of
from yipin.db import commit, db
from yipin.fields import labelled_enum
from yipin.i18n import current_language

blp = Blueprint(
    "imports_api",
    __name__,
    description="Bulk import of products and stock from CSV or XLSX"
    " · 从 CSV 或 XLSX 批量导入商品与库存",
)
FILE = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportErrorSchema(Schema):
    row = fields.Int(metadata={"description": "Row number as Excel shows it (header is row 1)."})
    column = fields.Str(metadata={"description": "Column key, e.g. price, grade, warehouse_code."})
    header = fields.Str(metadata={"description": "The column's header as in the file."})
    value = fields.Str()
    code = fields.Str()
    message = fields.Function(
        lambda e: e.get("messages", {}).get(current_language()) or e.get("messages", {}).get("en"),
        metadata={"type": "string", "nullable": True},
    )
    messages = fields.Dict(keys=fields.Str(), values=fields.Str())


class ImportJobSchema(Schema):
    id = fields.Int()
    supplier_id = fields.Int()
    filename = fields.Str()
    status = labelled_enum(ImportStatus, IMPORT_STATUS_LABELS)
    total_rows = fields.Int()
    processed_rows = fields.Int()
    imported_rows = fields.Int()
    error_rows = fields.Int()
    progress = fields.Float(metadata={"description": "processed_rows / total_rows, 0 to 1."})
    failure = fields.Str(allow_none=True, metadata={"description": "Why the file was refused."})
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class ImportJobDetailSchema(ImportJobSchema):
    errors = fields.List(fields.Nested(ImportErrorSchema), metadata={"description": "A page."})


class _WithErrorPage:
    """A job whose ``errors`` is one page of its error list."""

    def __init__(self, job: ImportJob, offset: int, limit: int) -> None:
        self._job = job
        self.errors = job.errors[offset : offset + limit]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)


class ImportUploadSchema(Schema):
    """A file to import and, for operators, whose catalog it goes into (multipart)."""

    file = Upload(required=True, metadata={"description": "CSV (UTF-8 / GBK) or XLSX."})
    supplier_id = fields.Int(
        load_default=None, metadata={"description": "Operators: whose catalog to import into."}
    )


class ImportQuerySchema(Schema):
    errors_offset = fields.Int(load_default=0, validate=validate.Range(min=0))
    errors_limit = fields.Int(load_default=200, validate=validate.Range(1, 5000))


@blp.route("/imports")
class Imports(MethodView):
    @blp.response(200, ImportJobSchema(many=True))
    @blp.paginate()
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, pagination_parameters: Any) -> list[ImportJob]:
        """Imports · 导入任务

        The caller's imports (operators: all), newest first.

        调用者的导入任务（运营可见全部），最新在前。"""
        stmt = supplier_scope(sa.select(ImportJob), ImportJob.supplier_id)
        return page_of(stmt.order_by(ImportJob.id.desc()), pagination_parameters)

    @blp.arguments(ImportUploadSchema, location="multipart", as_kwargs=True)
    @blp.response(202, ImportJobSchema)
    @blp.errors(413)
    @blp.rules(
        (
            415,
            "The file is a CSV (UTF-8 or GBK) or XLSX file · 文件须为 CSV（UTF-8 或 GBK）或 XLSX",
        ),
        "Operators name the supplier (supplier_id); the file has a header row"
        " · 运营须指定供应商；文件须有表头行",
    )
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, file: Any, supplier_id: int | None) -> ImportJob:
        """Import a file · 上传导入文件

        A CSV (UTF-8 or GBK) or XLSX file of products, variants and stock, recognised by its
        content and size-capped. The import runs as a job: poll it for progress and per-row
        errors.

        上传商品、规格和库存的 CSV（UTF-8 或 GBK）或 XLSX 文件（按内容识别，有大小限制）。
        导入在后台执行，可轮询进度和逐行错误。"""
        user = actor()
        if user.role == Role.SUPPLIER:
            supplier_id = user.supplier_id
        elif supplier_id is None:
            abort(422)
        data = file.stream.read(importer.max_bytes() + 1)
        job = importer.start_import(db.session, user, supplier_id, file.filename or "", data)
        commit()
        db.session.refresh(job)
        return job


def _job(job_id: int) -> ImportJob:
    user = actor()
    if user.role not in (Role.OPERATOR, Role.SUPPLIER):
        abort(403)
    return load(ImportJob, job_id)


@blp.route("/imports/<int:job_id>")
class ImportById(MethodView):
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(200, ImportJobDetailSchema)
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, args: dict[str, Any], job_id: int) -> Any:
        """One import · 导入任务详情

        An import's progress and a page of its per-row errors (``errors_offset``,
        ``errors_limit``).

        导入进度及逐行错误（分页：``errors_offset``、``errors_limit``）。"""
        return _WithErrorPage(_job(job_id), args["errors_offset"], args["errors_limit"])


@blp.route("/imports/<int:job_id>/errors.csv")
class ImportErrorsCsv(MethodView):
    @blp.alt_response(
        200,
        schema=FILE,
        content_type="text/csv",
        success=True,
        description="CSV, UTF-8 with BOM · CSV 文件（UTF-8，带 BOM）",
    )
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, job_id: int) -> Response:
        """An import's error report as CSV · 导入错误报告（CSV）

        The rows that failed with their errors; opens in Excel with Chinese intact.

        失败的行及错误原因，用 Excel 打开中文不乱码。"""
        job = _job(job_id)
        return exports.download(importer.errors_csv(job), f"import-{job.id}-errors.csv")


@blp.route("/imports/<int:job_id>/errors.xlsx")
class ImportErrorsXlsx(MethodView):
    @blp.alt_response(
        200,
        schema=FILE,
        content_type=XLSX,
        success=True,
        description="XLSX workbook · Excel 工作簿",
    )
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, job_id: int) -> Response:
        """An import's error report as XLSX · 导入错误报告（Excel）

        The rows that failed with their errors, as an Excel workbook.

        失败的行及错误原因（Excel 工作簿）。"""
        job = _job(job_id)
        return exports.download(importer.errors_xlsx(job), f"import-{job.id}-errors.xlsx")


@blp.route("/imports/template.<any(csv, xlsx):fmt>")
class ImportTemplate(MethodView):
    @blp.alt_response(
        200,
        schema=FILE,
        content_type="text/csv",
        description="The template, CSV or XLSX as asked · 模板文件（CSV 或 XLSX）",
        success=True,
    )
    @blp.alt_response(200, schema=FILE, content_type=XLSX, success=True)
    @blp.login_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, fmt: str) -> Response:
        """The import template · 导入模板

        A header row (Chinese headers and keys) and example rows starting with # that are
        never imported.

        表头行（中文列名及字段键）和以 # 开头、不会被导入的示例行。"""
        if fmt == "csv":
            return exports.download(importer.template_csv(), "yipin-import-template.csv")
        return exports.download(importer.template_xlsx(), "yipin-import-template.xlsx")
