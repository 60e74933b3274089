"""Supplier portal: batches with 承诺达标合格证, inspections and certifications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from catalog.models import (
    Batch,
    BatchStatus,
    Certification,
    CertificationKind,
    CommitmentBasis,
    InspectionResult,
    Variant,
)
from catalog.trace import batches, certifications, queries
from catalog.trace.forms import BatchForm, CertificationForm, InspectionForm
from orders import queries as orders_queries
from yipin import clock
from yipin.accounts.forms import EmptyForm
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, load, role_required, supplier_scope
from yipin.db import commit, db
from yipin.errors import DomainError
from yipin.fields import arg_id, arg_page
from yipin.forms import form_error
from yipin.i18n import _, _l
from yipin.pagination import paginate

bp = Blueprint("trace_portal", __name__, url_prefix="/supplier/trace", template_folder="templates")
PER_PAGE = 20


# ----------------------------------------------------------------------------- batches


def _variant_choices(supplier_id: int) -> list[tuple[int, str]]:
    out = []
    for variant, name in queries.supplier_variants(db.session, supplier_id):
        grade = f" · {variant.grade.name}" if variant.grade else ""
        out.append((variant.id, f"{name}{grade} · {variant.spec} ({variant.sku})"))
    return out


@bp.get("/batches", endpoint="batches")
@role_required(Role.SUPPLIER)
def batches_list() -> Any:
    """The supplier's batches, newest first, with their status."""
    status = request.args.get("status") or None
    if status not in set(BatchStatus):
        status = None
    stmt = supplier_scope(queries.batches_stmt(status=status), Batch.supplier_id)
    page = paginate(
        db.session,
        stmt,
        arg_page(),
        PER_PAGE,
        [joinedload(Batch.variant).joinedload(Variant.product)],
    )
    return render_template(
        "catalog/trace/portal_batches.html", page=page, status=status, statuses=list(BatchStatus)
    )


@bp.route("/batches/new", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def new_batch() -> Any:
    """Create a batch and issue its 承诺达标合格证."""
    user = actor()
    form = BatchForm()
    form.variant_id.choices = _variant_choices(user.supplier_id)
    if request.method == "GET":
        form.variant_id.data = arg_id("variant_id")
        for row in form.inspections:
            row.inspected_on.data = clock.today_local()
    status = 200
    if form.validate_on_submit():
        draft = batches.BatchDraft(
            variant_id=form.variant_id.data,
            base_name=form.base_name.data,
            base_region_code=form.base_region_code.data or "",
            quantity=form.quantity.data,
            harvest_date=form.harvest_date.data,
            production_date=form.production_date.data,
            contact_phone=form.contact_phone.data or None,
            basis=CommitmentBasis(form.basis.data),
            inspections=[
                batches.InspectionDraft(
                    item=row.item.data,
                    method=row.method.data or "",
                    result=InspectionResult(row.result.data),
                    value=row.value.data or "",
                    inspected_on=row.inspected_on.data,
                    inspector=row.inspector.data or "",
                )
                for row in (entry.form for entry in form.inspections)
                if not row.is_blank
            ],
        )
        # errors name rows by their place among the filled ones: map back to the form's rows
        filled = [i for i, e in enumerate(form.inspections) if not e.form.is_blank]
        try:
            created = batches.create_batch(db.session, user, user.supplier_id, draft)
        except DomainError as exc:
            db.session.rollback()
            if exc.field and exc.field.startswith("inspections.") and filled:
                parts = exc.field.split(".")
                parts[1] = str(filled[int(parts[1])])
                exc.field = ".".join(parts)
            form_error(form, exc)
            status = 422
        else:
            commit()
            flash(
                _("Batch created. Its commitment certificate %(number)s is ready to print.")
                % {"number": created.certificate_number},
                "success",
            )
            return redirect(url_for(".batch", batch_id=created.id))
    elif request.method == "POST":
        status = 422
    return render_template("catalog/trace/portal_batch_new.html", form=form), status


@bp.get("/batches/<int:batch_id>", endpoint="batch")
@role_required(Role.SUPPLIER)
def batch_detail(batch_id: int) -> Any:
    """One batch: its 合格证, inspections, sampling results and actions."""
    row = load(
        Batch, batch_id, options=[selectinload(Batch.inspections), selectinload(Batch.samplings)]
    )
    return _batch_page(row, InspectionForm(formdata=None, inspected_on=clock.today_local()))


def _batch_page(row: Batch, inspection_form: InspectionForm, status: int = 200) -> Any:
    return (
        render_template(
            "catalog/trace/portal_batch.html",
            b=row,
            cert=queries.certificate_fields(row),
            units_sold=orders_queries.units_sold_of_batch(db.session, row.id),
            inspection_form=inspection_form,
            empty_form=EmptyForm(),
        ),
        status,
    )


@bp.post("/batches/<int:batch_id>/inspections")
@role_required(Role.SUPPLIER)
def add_inspection(batch_id: int) -> Any:
    row = load(Batch, batch_id, change=True)
    form = InspectionForm()
    if form.validate_on_submit():
        try:
            test = batches.add_inspection(
                db.session,
                actor(),
                row.id,
                batches.InspectionDraft(
                    item=form.item.data,
                    method=form.method.data or "",
                    result=InspectionResult(form.result.data),
                    value=form.value.data or "",
                    inspected_on=form.inspected_on.data,
                    inspector=form.inspector.data or "",
                ),
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            commit()
            if test.result == InspectionResult.FAIL and row.status == BatchStatus.DELISTED:
                flash(_("The failed test took this batch off sale."), "error")
            else:
                flash(_("Inspection recorded."), "success")
            return redirect(url_for(".batch", batch_id=row.id))
    row = load(Batch, batch_id)
    return _batch_page(row, form, 422)


@bp.post("/batches/<int:batch_id>/close")
@role_required(Role.SUPPLIER)
def close_batch(batch_id: int) -> Any:
    row = load(Batch, batch_id, change=True)
    if EmptyForm().validate_on_submit():
        try:
            batches.close_batch(db.session, actor(), row.id)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.text(), "error")
        else:
            commit()
            flash(_("The batch is closed. It stays on record and traceable."), "info")
    return redirect(url_for(".batch", batch_id=batch_id))


# ----------------------------------------------------------------------------- certifications


def _product_choices(supplier_id: int) -> list[tuple[int, str]]:
    products = queries.supplier_product_names(db.session, supplier_id)
    return [(0, str(_l("All our products (company-wide)"))), *products]


@bp.get("/certifications", endpoint="certifications")
@role_required(Role.SUPPLIER)
def certifications_list() -> Any:
    """The supplier's certificates with their state today."""
    rows = list(
        db.session.scalars(
            supplier_scope(sa.select(Certification), Certification.supplier_id)
            .options(joinedload(Certification.product))
            .order_by(Certification.revoked_at.is_not(None), Certification.valid_to.desc())
        ).unique()
    )
    today = clock.today_local()
    return render_template(
        "catalog/trace/portal_certifications.html",
        rows=[(c, c.state_on(today)) for c in rows],
        today=today,
        highlight=arg_id("cert"),
        empty_form=EmptyForm(),
    )


def _cert_draft(form: CertificationForm) -> certifications.CertificationDraft:
    return certifications.CertificationDraft(
        kind=CertificationKind(form.kind.data),
        number=form.number.data or "",
        issuer=form.issuer.data or "",
        scope=form.scope.data or "",
        valid_from=form.valid_from.data,
        valid_to=form.valid_to.data,
        product_id=form.product_id.data or None,
    )


def _upload(form: CertificationForm) -> Any:
    file = form.image.data
    return file.stream if file and getattr(file, "filename", "") else None


def _flash_warnings(saved: certifications.SavedCertification) -> None:
    for warning in saved.warnings:
        flash(_("Saved, but please check: %(warning)s") % {"warning": warning.message}, "info")


@bp.route("/certifications/new", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def new_certification() -> Any:
    user = actor()
    form = CertificationForm()
    form.product_id.choices = _product_choices(user.supplier_id)
    status = 200
    if form.validate_on_submit():
        try:
            saved = certifications.add_certification(
                db.session, user, user.supplier_id, _cert_draft(form), image=_upload(form)
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
            status = 422
        else:
            commit()
            flash(_("Certificate added."), "success")
            _flash_warnings(saved)
            return redirect(url_for(".certifications", cert=saved.certification.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "catalog/trace/portal_certification_form.html", form=form, cert=None
    ), status


@bp.route("/certifications/<int:cert_id>/edit", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def edit_certification(cert_id: int) -> Any:
    user = actor()
    cert = load(Certification, cert_id, change=True)
    form = CertificationForm(obj=cert if request.method == "GET" else None)
    form.product_id.choices = _product_choices(user.supplier_id)
    if request.method == "GET":
        form.kind.data = cert.kind.value
        form.product_id.data = cert.product_id or 0
    status = 200
    if form.validate_on_submit():
        try:
            saved = certifications.edit_certification(
                db.session, user, cert.id, _cert_draft(form), image=_upload(form)
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
            status = 422
        else:
            commit()
            flash(_("Certificate saved."), "success")
            _flash_warnings(saved)
            return redirect(url_for(".certifications", cert=cert_id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "catalog/trace/portal_certification_form.html", form=form, cert=cert
    ), status


@bp.post("/certifications/<int:cert_id>/revoke")
@role_required(Role.SUPPLIER)
def revoke_certification(cert_id: int) -> Any:
    cert = load(Certification, cert_id, change=True)
    if EmptyForm().validate_on_submit():
        certifications.revoke_certification(db.session, actor(), cert.id)
        commit()
        flash(_("Certificate revoked. It no longer shows on your products."), "info")
    return redirect(url_for(".certifications"))
