"""Operator console: the overview, accounts and the job queue (outbox)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for

from catalog.models import Product, ProductStatus
from suppliers.models import Supplier, SupplierStatus
from yipin.accounts import actions as account_actions
from yipin.accounts.forms import EmptyForm, StaffAccountForm
from yipin.accounts.models import Role, SupplierRole, User
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.i18n import _
from yipin.outbox import service as outbox_service
from yipin.outbox.models import OutboxEntry, OutboxStatus
from yipin.views import run_action

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")


@bp.get("/")
@role_required(Role.OPERATOR)
def home() -> Any:
    """The operator's home: what waits for a decision."""
    suppliers = dict(
        db.session.execute(
            sa.select(Supplier.status, sa.func.count()).group_by(Supplier.status)
        ).all()
    )
    products = dict(
        db.session.execute(
            sa.select(Product.status, sa.func.count()).group_by(Product.status)
        ).all()
    )
    outbox = outbox_service.stats()
    return render_template(
        "console/home.html",
        pending_suppliers=suppliers.get(SupplierStatus.PENDING, 0),
        verified_suppliers=suppliers.get(SupplierStatus.VERIFIED, 0),
        pending_products=products.get(ProductStatus.PENDING_REVIEW, 0),
        listed_products=products.get(ProductStatus.LISTED, 0),
        failed_jobs=outbox.get(OutboxStatus.FAILED, 0),
        waiting_jobs=outbox.get(OutboxStatus.PENDING, 0) + outbox.get(OutboxStatus.DISPATCHED, 0),
    )


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def users() -> Any:
    """Accounts: list by role, create operator / bureau / supplier accounts."""
    form = StaffAccountForm()
    if form.validate_on_submit():
        response = run_action(
            lambda: account_actions.create_staff_account(
                db.session,
                actor(),
                role=Role(form.role.data),
                login=form.login.data,
                password=form.password.data,
                display_name=form.display_name.data,
                supplier_id=form.supplier_id.data,
                supplier_role=SupplierRole(form.supplier_role.data),
                bureau_region_code=form.bureau_region_code.data or None,
            ),
            done=_("The account has been created."),
            to=url_for(".users"),
            form=form,
        )
        if response is not None:
            return response
    role = request.args.get("role")
    stmt = sa.select(User).order_by(User.role, User.id)
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    page = db.paginate(stmt, per_page=50, error_out=False)
    status = 422 if form.errors else 200
    return render_template(
        "console/users.html", form=form, page=page, role=role, empty_form=EmptyForm()
    ), status


@bp.post("/users/<int:user_id>/active")
@role_required(Role.OPERATOR)
def set_active(user_id: int) -> Any:
    active = request.form.get("active") == "1"
    return run_action(
        lambda: account_actions.set_active(db.session, actor(), user_id, active),
        done=_("Account reactivated.") if active else _("Account deactivated."),
        category="info",
        to=url_for(".users", role=request.args.get("role")),
    )


@bp.get("/outbox")
@role_required(Role.OPERATOR)
def outbox() -> Any:
    """The job queue: counts by status and the entries that failed."""
    failed = db.session.scalars(
        sa.select(OutboxEntry)
        .where(OutboxEntry.status == OutboxStatus.FAILED)
        .order_by(OutboxEntry.id.desc())
        .limit(100)
    ).all()
    waiting = db.session.scalars(
        sa.select(OutboxEntry)
        .where(OutboxEntry.status.in_([OutboxStatus.PENDING, OutboxStatus.DISPATCHED]))
        .order_by(OutboxEntry.next_attempt_at)
        .limit(100)
    ).all()
    return render_template(
        "console/outbox.html",
        stats=outbox_service.stats(),
        failed=failed,
        waiting=waiting,
        empty_form=EmptyForm(),
    )


@bp.post("/outbox/<int:entry_id>/retry")
@role_required(Role.OPERATOR)
def retry(entry_id: int) -> Any:
    return run_action(
        lambda: outbox_service.retry_failed(entry_id),
        done=_("The job will run again."),
        category="info",
        to=url_for(".outbox"),
    )
