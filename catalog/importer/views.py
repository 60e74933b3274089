"""Supplier portal: bulk import of products and stock (CSV / XLSX) with progress."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from catalog import importer
from catalog.models import ImportJob, ImportStatus
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.i18n import _, _l

bp = Blueprint(
    "imports_portal", __name__, url_prefix="/supplier/imports", template_folder="templates"
)
SHOWN_ERRORS = 200


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or Excel .xlsx)"), validators=[FileRequired()])


def _page(form: ImportForm, status: int = 200) -> Any:
    user = actor()
    jobs = db.session.scalars(
        sa.select(ImportJob)
        .where(ImportJob.supplier_id == user.supplier_id)
        .order_by(ImportJob.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "catalog/imports/index.html",
        section="imports",
        form=form,
        jobs=jobs,
        columns=importer.COLUMNS,
        header_label=importer.header_label,
        max_mb=importer.max_bytes() // (1024 * 1024),
    ), status


@bp.get("/")
@role_required(Role.SUPPLIER)
def imports() -> Any:
    """Upload a file; the latest imports and the template's columns."""
    return _page(ImportForm())


@bp.post("/")
@role_required(Role.SUPPLIER)
def upload() -> Any:
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    user = actor()
    upload = form.file.data
    data = upload.stream.read(importer.max_bytes() + 1)
    try:
        job = importer.start_import(db.session, user, user.supplier_id, upload.filename or "", data)
    except DomainError as exc:
        db.session.rollback()
        form.file.errors = [*form.file.errors, exc.text()]
        return _page(form, exc.status)
    commit()  # on the embedded default the job has already run by now
    db.session.refresh(job)
    if job.status == ImportStatus.FINISHED:
        flash(_("Import finished."), "success")
    elif job.status != ImportStatus.FAILED:
        flash(_("File received; the import is running."), "info")
    return redirect(url_for(".job", job_id=job.id))


@bp.get("/<int:job_id>")
@role_required(Role.SUPPLIER)
def job(job_id: int) -> Any:
    """One import: a progress bar that follows the job, then the per-row error report."""
    job = load(ImportJob, job_id)
    return render_template(
        "catalog/imports/job.html",
        section="imports",
        job=job,
        errors=job.errors[:SHOWN_ERRORS],
        running=job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        columns={c.key: c for c in importer.COLUMNS},
    )
