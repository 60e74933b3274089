"""Supplier portal: the supplier's own sub-orders (子订单) — where each parcel goes, shipping it
by hand (carrier, waybill and the batch each line ships from) until routing books waybills,
cancelling what it cannot supply, and deciding returns and 坏果包赔 claims."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for

from catalog.models import Batch, BatchStatus
from orders import after_sales, lifecycle, queries
from orders.labels import parse_enum
from orders.models import Claim, ClaimStatus, ReturnRequest, SubOrder, SupplierAfterSales
from orders.status import BEFORE_SHIPMENT, OrderStatus
from orders.views import act
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.fields import arg_page
from yipin.i18n import _
from yipin.money import MoneyError, parse_yuan
from yipin.pagination import paginate

bp = Blueprint(
    "orders_portal", __name__, url_prefix="/supplier/orders", template_folder="templates"
)
TABS = ("awaiting_routing", "routed", "shipped", "delivered", "completed", "cancelled")


@bp.get("/")
@role_required(Role.SUPPLIER)
def sub_orders() -> Any:
    user = actor()
    status = request.args.get("status", "awaiting_routing")
    chosen = parse_enum(OrderStatus, status)
    filters = {"status": chosen} if chosen else {}
    page = paginate(db.session, queries.sub_orders_stmt(user, **filters), arg_page(), 30)
    counts = dict(
        db.session.execute(
            sa.select(SubOrder.status, sa.func.count())
            .where(SubOrder.supplier_id == user.supplier_id)
            .group_by(SubOrder.status)
        ).all()
    )
    open_claims = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            queries.claims_stmt(user, ClaimStatus.OPEN).subquery()
        )
    )
    settings = db.session.get(SupplierAfterSales, user.supplier_id)
    return render_template(
        "orders/portal/list.html",
        section="orders",
        page=page,
        status=status,
        tabs=TABS,
        counts=counts,
        open_claims=open_claims,
        fresh_returns=bool(settings and settings.fresh_no_reason_returns),
    )


@bp.get("/<int:sub_order_id>")
@role_required(Role.SUPPLIER)
def sub_order(sub_order_id: int) -> Any:
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    variant_ids = [line.variant_id for line in sub.lines]
    batches = list(
        db.session.scalars(
            sa.select(Batch)
            .where(Batch.variant_id.in_(variant_ids), Batch.status == BatchStatus.ACTIVE)
            .order_by(Batch.harvest_date.desc().nulls_last(), Batch.id.desc())
        )
    )
    claims = list(db.session.scalars(sa.select(Claim).where(Claim.sub_order_id == sub.id)))
    returns = list(
        db.session.scalars(sa.select(ReturnRequest).where(ReturnRequest.sub_order_id == sub.id))
    )
    return render_template(
        "orders/portal/detail.html",
        section="orders",
        sub=sub,
        batches=batches,
        claims=claims,
        returns=returns,
        history=[
            e for e in queries.history(db.session, sub.order_id) if e.sub_order_id in (None, sub.id)
        ],
        before_shipment=BEFORE_SHIPMENT,
    )


def _back(sub_order_id: int) -> str:
    return url_for("orders_portal.sub_order", sub_order_id=sub_order_id)


@bp.post("/<int:sub_order_id>/ship")
@role_required(Role.SUPPLIER, Role.OPERATOR)
def ship(sub_order_id: int) -> Any:
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    batches = {}
    for line in sub.lines:
        raw = request.form.get(f"batch_{line.id}", "")
        if raw.isdigit():
            batches[line.id] = int(raw)
    return act(
        lambda: lifecycle.mark_shipped(
            db.session,
            actor(),
            sub_order_id,
            carrier_name=request.form.get("carrier_name", ""),
            waybill_number=request.form.get("waybill_number", ""),
            batches=batches,
        ),
        _("Shipped: the buyer can follow the parcel."),
        _back(sub_order_id),
    )


@bp.post("/<int:sub_order_id>/cancel")
@role_required(Role.SUPPLIER)
def cancel(sub_order_id: int) -> Any:
    queries.sub_order_for(db.session, actor(), sub_order_id)
    return act(
        lambda: after_sales.cancel_sub_order(
            db.session, actor(), sub_order_id, request.form.get("reason", "") or "缺货"
        ),
        _("Cancelled: the buyer is refunded in full."),
        _back(sub_order_id),
    )


@bp.post("/claims/<int:claim_id>")
@role_required(Role.SUPPLIER)
def decide_claim(claim_id: int) -> Any:
    claim = queries.claim_for(db.session, actor(), claim_id)
    approve = request.form.get("decision") == "approve"
    try:
        amount = parse_yuan(request.form.get("amount", "")) if approve else None
    except MoneyError:
        amount = 0
    return act(
        lambda: after_sales.decide_claim(
            db.session,
            actor(),
            claim_id,
            approve=approve,
            amount_fen=amount or None if approve else None,
            note=request.form.get("note", ""),
        ),
        _("Claim decided."),
        _back(claim.sub_order_id),
    )


@bp.post("/returns/<int:return_id>")
@role_required(Role.SUPPLIER)
def decide_return(return_id: int) -> Any:
    request_ = queries.return_for(db.session, actor(), return_id)
    decision = request.form.get("decision")
    if decision == "received":
        fn = lambda: after_sales.receive_return(db.session, actor(), return_id)  # noqa: E731
    else:
        fn = lambda: after_sales.decide_return(  # noqa: E731
            db.session, actor(), return_id, decision == "approve", request.form.get("note", "")
        )
    return act(fn, _("Return updated."), _back(request_.sub_order_id))


@bp.post("/settings")
@role_required(Role.SUPPLIER)
def settings() -> Any:
    user = actor()
    return act(
        lambda: after_sales.set_fresh_returns(
            db.session, user, user.supplier_id, request.form.get("fresh_returns") == "1"
        ),
        _("After-sales settings saved."),
        url_for("orders_portal.sub_orders"),
    )
