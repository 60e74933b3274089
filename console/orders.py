"""Operator console: order search, an order's whole story with refunds, bank-transfer
confirmation and offline refunds, 坏果包赔 claims, the shipping rate card and the 国有企业 list."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for

from fulfillment.models import ShippingRate, ShippingService
from fulfillment.shipping import update_rate
from orders import after_sales, buyers, lifecycle, queries
from orders.labels import parse_enum
from orders.models import (
    BuyerType,
    Claim,
    ClaimStatus,
    OrderStatus,
    PaymentMethod,
    RefundKind,
    StateOwnedEnterprise,
)
from orders.payments.service import confirm_bank_transfer
from orders.refunds import record_offline_refund, refund_sub_order, refundable_fen
from orders.status import BEFORE_SHIPMENT
from orders.views import act
from suppliers.models import Supplier
from yipin.accounts.models import Role
from yipin.accounts.permissions import actor, role_required
from yipin.db import db
from yipin.fields import DATE_MAX, DATE_MIN, arg_id, arg_page
from yipin.i18n import _
from yipin.money import MoneyError, parse_yuan
from yipin.pagination import paginate

bp = Blueprint(
    "console_orders", __name__, url_prefix="/console/orders", template_folder="templates"
)


def _page() -> int:
    return arg_page()


def _date(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if DATE_MIN <= day <= DATE_MAX else None


def _fen(name: str) -> int | None:
    try:
        return parse_yuan(request.form.get(name, ""))
    except MoneyError:
        return None


@bp.get("/")
@role_required(Role.OPERATOR)
def orders() -> Any:
    args = request.args
    filters: dict[str, Any] = {
        "q": args.get("q", "").strip()[:40],
        "status": parse_enum(OrderStatus, args.get("status")),
        "payment_method": parse_enum(PaymentMethod, args.get("method")),
        "buyer_type": parse_enum(BuyerType, args.get("buyer")),
        "supplier_id": arg_id("supplier"),
        "placed_from": _date("from"),
        "placed_to": _date("to"),
    }
    page = paginate(
        db.session,
        queries.orders_stmt(actor(), **filters),
        _page(),
        50,
        options=list(queries.ORDER_DETAIL[:2]),
    )
    suppliers = db.session.execute(
        sa.select(Supplier.id, Supplier.name).order_by(Supplier.name)
    ).all()
    return render_template(
        "console/orders/list.html",
        section="orders",
        page=page,
        args=args,
        statuses=list(OrderStatus),
        methods=list(PaymentMethod),
        buyer_types=list(BuyerType),
        suppliers=suppliers,
        filters={k: v for k, v in args.items() if k != "page" and v},
    )


@bp.get("/<int:order_id>")
@role_required(Role.OPERATOR)
def order(order_id: int) -> Any:
    order_ = queries.order_for(db.session, actor(), order_id)
    claims = list(
        db.session.scalars(
            queries.claims_stmt(actor()).where(
                Claim.sub_order_id.in_([s.id for s in order_.sub_orders])
            )
        )
    )
    return render_template(
        "console/orders/detail.html",
        section="orders",
        order=order_,
        history=queries.history(db.session, order_.id),
        claims=claims,
        refundable={s.id: refundable_fen(s) for s in order_.sub_orders},
        before_shipment=BEFORE_SHIPMENT,
    )


def _back(order_id: int) -> str:
    return url_for("console_orders.order", order_id=order_id)


@bp.post("/payments/<int:payment_id>/bank-transfer")
@role_required(Role.OPERATOR)
def confirm_transfer(payment_id: int) -> Any:
    payment = queries.payment_for(db.session, actor(), payment_id)
    return act(
        lambda: confirm_bank_transfer(
            db.session, actor(), payment_id, request.form.get("reference", ""), _fen("amount") or 0
        ),
        _("Bank transfer confirmed: the order is paid."),
        request.form.get("next") or _back(payment.order_id),
    )


@bp.post("/parcels/<int:sub_order_id>/refund")
@role_required(Role.OPERATOR)
def refund(sub_order_id: int) -> Any:
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    everything = request.form.get("everything") == "1"
    return act(
        lambda: refund_sub_order(
            db.session,
            actor(),
            sub_order_id,
            kind=RefundKind.FULL if everything else RefundKind.PARTIAL,
            reason=request.form.get("reason", ""),
            amount_fen=None if everything else (_fen("amount") or 0),
        ),
        _("Refund started through the method that paid."),
        _back(sub.order_id),
    )


@bp.post("/parcels/<int:sub_order_id>/cancel")
@role_required(Role.OPERATOR)
def cancel(sub_order_id: int) -> Any:
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    return act(
        lambda: after_sales.cancel_sub_order(
            db.session, actor(), sub_order_id, request.form.get("reason", "")
        ),
        _("Parcel cancelled; refunded in full."),
        _back(sub.order_id),
    )


@bp.post("/parcels/<int:sub_order_id>/delivered")
@role_required(Role.OPERATOR)
def delivered(sub_order_id: int) -> Any:
    sub = queries.sub_order_for(db.session, actor(), sub_order_id)
    return act(
        lambda: lifecycle.mark_delivered(db.session, actor(), sub_order_id),
        _("Marked delivered."),
        _back(sub.order_id),
    )


@bp.post("/refunds/<int:refund_id>/bank-transfer")
@role_required(Role.OPERATOR)
def refund_transferred(refund_id: int) -> Any:
    refund_ = queries.refund_for(db.session, actor(), refund_id)
    return act(
        lambda: record_offline_refund(
            db.session, actor(), refund_id, request.form.get("reference", "")
        ),
        _("Refund recorded as paid back."),
        request.form.get("next") or _back(refund_.order_id),
    )


@bp.get("/bank-transfers")
@role_required(Role.OPERATOR)
def bank_transfers() -> Any:
    return render_template(
        "console/orders/bank_transfers.html",
        section="bank_transfers",
        payments=queries.awaiting_bank_transfer(db.session),
        refunds=queries.pending_offline_refunds(db.session),
    )


@bp.get("/claims")
@role_required(Role.OPERATOR)
def claims() -> Any:
    page = paginate(db.session, queries.claims_stmt(actor(), ClaimStatus.OPEN), _page(), 50)
    return render_template("console/orders/claims.html", section="claims", page=page)


@bp.post("/claims/<int:claim_id>")
@role_required(Role.OPERATOR)
def decide_claim(claim_id: int) -> Any:
    queries.claim_for(db.session, actor(), claim_id)
    approve = request.form.get("decision") == "approve"
    return act(
        lambda: after_sales.decide_claim(
            db.session,
            actor(),
            claim_id,
            approve=approve,
            amount_fen=_fen("amount") if approve else None,
            note=request.form.get("note", ""),
        ),
        _("Claim decided."),
        url_for("console_orders.claims"),
    )


@bp.get("/shipping-rates")
@role_required(Role.OPERATOR)
def rates() -> Any:
    province = request.args.get("province", "")
    stmt = (
        sa.select(ShippingRate)
        .join(ShippingService, ShippingService.id == ShippingRate.service_id)
        .order_by(
            ShippingRate.province_code, ShippingService.sort_order, ShippingRate.storage_class
        )
    )
    if province.isdigit():
        stmt = stmt.where(ShippingRate.province_code == province)
    return render_template(
        "console/orders/rates.html",
        section="rates",
        rates=list(db.session.scalars(stmt)),
        province=province,
    )


@bp.post("/shipping-rates/<int:rate_id>")
@role_required(Role.OPERATOR)
def edit_rate(rate_id: int) -> Any:
    changes: dict[str, Any] = {}
    for name in ("first_fen", "step_fen", "cold_surcharge_fen", "free_over_fen"):
        raw = request.form.get(name, "").strip()
        if name == "free_over_fen" and raw == "":
            changes[name] = None
            continue
        changes[name] = _fen(name) if raw else None
        if changes[name] is None:
            changes[name] = -1  # refused by the action with the field's message
    for name in ("first_weight_g", "step_weight_g"):
        raw = request.form.get(name, "").strip()
        changes[name] = int(raw) if raw.isdigit() else -1
    return act(
        lambda: update_rate(db.session, actor(), rate_id, changes),
        _("Rate saved: the next quotes use it."),
        url_for("console_orders.rates", province=request.form.get("province", "")),
    )


@bp.route("/state-owned", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def state_owned() -> Any:
    if request.method == "POST":
        if request.form.get("action") == "remove":
            raw = request.form.get("soe_id", "")
            return act(
                lambda: buyers.remove_state_owned(
                    db.session, actor(), int(raw) if raw.isdigit() else 0
                ),
                _("Removed from the list."),
                url_for("console_orders.state_owned"),
            )
        return act(
            lambda: buyers.add_state_owned(
                db.session,
                actor(),
                request.form.get("uscc", ""),
                request.form.get("name", ""),
                request.form.get("note", ""),
            ),
            _("Added to the list."),
            url_for("console_orders.state_owned"),
        )
    rows = list(
        db.session.scalars(sa.select(StateOwnedEnterprise).order_by(StateOwnedEnterprise.name))
    )
    declared = db.session.execute(queries.declared_state_owned_stmt()).all()
    return render_template(
        "console/orders/state_owned.html", section="state_owned", rows=rows, declared=declared
    )
