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
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, validate

from catalog import importer
from catalog.models import IMPORT_STATUS_LABELS, ImportJob, ImportStatus
from yipin import exports, fields
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db
from yipin.fields import labelled_enum
from yipin.i18n import current_language

blp = Blueprint("imports_api", __name__, description="Bulk import of products and stock")


class ImportErrorSchema(Schema):
    row = fields.Int(metadata={"description": "Row number as Excel shows it (header is row 1)."})
    column = fields.Str(metadata={"description": "Column key, e.g. price, grade, warehouse_code."})
    header = fields.Str(metadata={"description": "The column's header as in the file."})
    value = fields.Str()
    code = fields.Str()
    message = fields.Function(
        lambda e: e.get("messages", {}).get(current_language()) or e.get("messages", {}).get("en")
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
    file = Upload(required=True, metadata={"description": "CSV (UTF-8 / GBK) or XLSX."})


class ImportFormSchema(Schema):
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
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, pagination_parameters: Any) -> list[ImportJob]:
        """The caller's imports (operators: all), newest first."""
        stmt = supplier_scope(sa.select(ImportJob), ImportJob.supplier_id)
        pagination_parameters.item_count = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        )
        return list(
            db.session.scalars(
                stmt.order_by(ImportJob.id.desc())
                .limit(pagination_parameters.page_size)
                .offset(pagination_parameters.first_item)
            )
        )

    @blp.arguments(ImportUploadSchema, location="files", as_kwargs=True)
    @blp.arguments(ImportFormSchema, location="form", as_kwargs=True)
    @blp.response(202, ImportJobSchema)
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def post(self, file: Any, supplier_id: int | None) -> ImportJob:
        """Upload a file to import (size-capped; recognised by content). 413 too large,
        415 neither CSV nor XLSX, 422 no header row."""
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
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, args: dict[str, Any], job_id: int) -> Any:
        """An import's progress and its per-row errors (a page of them: ``errors_offset``,
        ``errors_limit``)."""
        return _WithErrorPage(_job(job_id), args["errors_offset"], args["errors_limit"])


@blp.route("/imports/<int:job_id>/errors.csv")
class ImportErrorsCsv(MethodView):
    @blp.doc(responses={"200": {"description": "CSV (UTF-8 with BOM)"}})
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, job_id: int) -> Response:
        """The error report as CSV (opens in Excel with Chinese intact)."""
        job = _job(job_id)
        return exports.download(importer.errors_csv(job), f"import-{job.id}-errors.csv")


@blp.route("/imports/<int:job_id>/errors.xlsx")
class ImportErrorsXlsx(MethodView):
    @blp.doc(responses={"200": {"description": "XLSX workbook"}})
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, job_id: int) -> Response:
        """The error report as an Excel workbook."""
        job = _job(job_id)
        return exports.download(importer.errors_xlsx(job), f"import-{job.id}-errors.xlsx")


@blp.route("/imports/template.<any(csv, xlsx):fmt>")
class ImportTemplate(MethodView):
    @blp.doc(responses={"200": {"description": "The template with Chinese headers + keys"}})
    @role_required(Role.OPERATOR, Role.SUPPLIER)
    def get(self, fmt: str) -> Response:
        """The import template (header row + example rows starting with #, never imported)."""
        if fmt == "csv":
            return exports.download(importer.template_csv(), "yipin-import-template.csv")
        return exports.download(importer.template_xlsx(), "yipin-import-template.xlsx")
