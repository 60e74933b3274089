"""After-sales (售后): cancellation before shipment, returns under the category's rule, and
坏果包赔 claims with photos.

- **Cancel** a paid sub-order while it has not shipped (buyer, its supplier — e.g. out of stock —
  or an operator): its stock is freed, it is refunded in full through the paying method, and
  routing hears ``orders.suborder_cancelled`` (to void a waybill). An unpaid order is cancelled
  whole.
- **Return** after delivery: 7-day no-reason returns (七天无理由) unless the category is exempt
  (fresh produce) and the supplier has not opted in; quality returns within the category's
  window. The supplier (or an operator) approves or rejects with a reason; when the goods are
  back, the returned units are refunded.
- **Claim** (坏果包赔) within the category's hours after delivery, with 1–6 photos: the supplier
  or an operator approves part or all of what was asked (a partial refund on that line) or
  rejects it with a reason.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.models import Category, Product, Variant
from orders.errors import AfterSalesClosed, AfterSalesInvalid, InvalidTransition
from orders.expiry import buyer_cancels_unpaid, release_for_cancelled_sub_order
from orders.labels import CLAIM_STATUS_LABELS, RETURN_STATUS_LABELS
from orders.lifecycle import log, move_sub_order, resettle
from orders.models import (
    AfterSalesRule,
    Claim,
    ClaimPhoto,
    ClaimStatus,
    OrderEventKind,
    OrderLine,
    PaymentMethod,
    PaymentStatus,
    RefundKind,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    SubOrder,
    SupplierAfterSales,
)
from orders.payments.service import lock_order
from orders.refunds import LineRefund, paying_payment, refund_sub_order
from orders.status import AFTER_DELIVERY, BEFORE_SHIPMENT, OrderStatus
from yipin import clock, outbox
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l
from yipin.money import format_fen

DATA = Path(__file__).parent / "data"
MAX_PHOTOS = 6


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


# ----------------------------------------------------------------------------- who may


def _sub_for(
    session: Session, actor: User, sub_order_id: int, *, buyer_only: bool = False
) -> SubOrder:
    sub = session.scalars(
        sa.select(SubOrder).where(SubOrder.id == sub_order_id).options(selectinload(SubOrder.lines))
    ).one_or_none()
    if sub is None:
        raise NotFound(field="sub_order_id")
    if actor.role == Role.OPERATOR and not buyer_only:
        return sub
    if actor.role == Role.CONSUMER and sub.order.consumer_id == actor.id:
        return sub
    if actor.role == Role.SUPPLIER and sub.supplier_id == actor.supplier_id and not buyer_only:
        return sub
    if actor.role in (Role.CONSUMER, Role.SUPPLIER):
        raise NotFound(field="sub_order_id")
    raise Forbidden()


def _decider(actor: User, sub: SubOrder) -> None:
    """Approving returns and claims: the sub-order's supplier staff or an operator."""
    if actor.role == Role.OPERATOR:
        return
    if actor.role == Role.SUPPLIER and actor.supplier_id == sub.supplier_id:
        return
    if actor.role == Role.SUPPLIER:
        raise NotFound(field="sub_order_id")
    raise Forbidden()


# ----------------------------------------------------------------------------- cancellation


def cancel_sub_order(session: Session, actor: User, sub_order_id: int, reason: str) -> SubOrder:
    """Cancel one paid (or cash-on-delivery) sub-order before it ships; refunded in full."""
    sub = _sub_for(session, actor, sub_order_id)
    order = lock_order(session, sub.order_id)
    session.refresh(sub)
    status = OrderStatus(sub.status)
    if status == OrderStatus.PENDING_PAYMENT:
        buyer_cancels_unpaid(session, actor, order.id, reason)
        return sub
    if status not in BEFORE_SHIPMENT:
        raise AfterSalesClosed(why=_l("it has shipped."), field="sub_order_id")
    reason = _clean(reason, 200) or "cancelled before shipment"
    release_for_cancelled_sub_order(session, order, sub.id)
    move_sub_order(session, sub, OrderStatus.CANCELLED, actor_id=actor.id, message=reason)
    sub.cancel_reason = reason
    for payment in order.payments:
        if (
            payment.sub_order_id == sub.id
            and payment.method == PaymentMethod.COD
            and payment.status == PaymentStatus.PENDING
        ):
            payment.status = PaymentStatus.CANCELLED
            payment.cancelled_at = clock.now()
    session.flush()
    outbox.emit(session, "orders.suborder_cancelled", {"sub_order_id": sub.id})
    if paying_payment(sub) is not None:
        refund_sub_order(session, None, sub.id, kind=RefundKind.CANCELLATION, reason=reason)
    resettle(session, order, actor_id=actor.id)
    session.flush()
    return sub


def cancel_order(session: Session, actor: User, order_id: int, reason: str) -> list[SubOrder]:
    """Cancel what can still be cancelled of an order (all of it when unpaid)."""
    order = lock_order(session, order_id)
    if actor.role != Role.OPERATOR and order.consumer_id != actor.id:
        raise NotFound(field="order_id")
    if order.status == OrderStatus.PENDING_PAYMENT:
        buyer_cancels_unpaid(session, actor, order.id, _clean(reason, 200))
        return list(order.sub_orders)
    open_subs = [s for s in order.sub_orders if s.status in BEFORE_SHIPMENT]
    if not open_subs:
        raise AfterSalesClosed(why=_l("every parcel has shipped."), field="order_id")
    return [cancel_sub_order(session, actor, s.id, reason) for s in open_subs]


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class LineRule:
    """What a line's category (and its supplier's opt-in) allows after delivery."""

    no_reason_days: int
    quality_days: int
    claim_hours: int
    fresh: bool


DEFAULT_RULE = LineRule(no_reason_days=7, quality_days=15, claim_hours=0, fresh=False)


def rules_for(session: Session, lines: list[OrderLine]) -> dict[int, LineRule]:
    """Per line id, in one query."""
    if not lines:
        return {}
    rows = session.execute(
        sa.select(
            OrderLine.id,
            AfterSalesRule.no_reason_return_days,
            AfterSalesRule.quality_return_days,
            AfterSalesRule.claim_hours,
            AfterSalesRule.fresh,
            SupplierAfterSales.fresh_no_reason_returns,
        )
        .join(Variant, Variant.id == OrderLine.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .outerjoin(AfterSalesRule, AfterSalesRule.category_id == Product.category_id)
        .outerjoin(SupplierAfterSales, SupplierAfterSales.supplier_id == Product.supplier_id)
        .where(OrderLine.id.in_([line.id for line in lines]))
    ).all()
    out = {}
    for line_id, days, quality, hours, fresh, opted in rows:
        if days is None:
            out[line_id] = DEFAULT_RULE
            continue
        if fresh and opted:
            days = max(days, 7)
        out[line_id] = LineRule(days, quality, hours, bool(fresh))
    return out


def load_rules(session: Session) -> int:
    """After-sales rules per category from ``orders/data/after_sales_rules.csv`` (missing
    rows only: an operator's change stays)."""
    categories = {c.slug: c.id for c in session.scalars(sa.select(Category))}
    have = set(session.scalars(sa.select(AfterSalesRule.category_id)))
    added = 0
    with (DATA / "after_sales_rules.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            category_id = categories.get(row["category"])
            if category_id is None or category_id in have:
                continue
            session.add(
                AfterSalesRule(
                    category_id=category_id,
                    fresh=row["fresh"] == "1",
                    no_reason_return_days=int(row["no_reason_return_days"]),
                    quality_return_days=int(row["quality_return_days"]),
                    claim_hours=int(row["claim_hours"]),
                )
            )
            added += 1
    session.flush()
    return added


def set_fresh_returns(session: Session, actor: User, supplier_id: int, accept: bool) -> None:
    """A supplier opts in (or out) to 7-day no-reason returns of its fresh produce."""
    if actor.role == Role.SUPPLIER and actor.supplier_id != supplier_id:
        raise NotFound(field="supplier_id")
    if actor.role not in (Role.SUPPLIER, Role.OPERATOR):
        raise Forbidden()
    row = session.get(SupplierAfterSales, supplier_id)
    if row is None:
        row = SupplierAfterSales(supplier_id=supplier_id)
        session.add(row)
    row.fresh_no_reason_returns = bool(accept)
    session.flush()


# ----------------------------------------------------------------------------- returns


def _delivered_since(sub: SubOrder) -> timedelta:
    if sub.delivered_at is None:
        return timedelta(0)
    return clock.now() - sub.delivered_at


def request_return(
    session: Session,
    actor: User,
    sub_order_id: int,
    reason_kind: ReturnReason,
    lines: list[tuple[int, int]],
    reason: str = "",
) -> ReturnRequest:
    """The buyer asks to send units back: ``lines`` is ``[(order_line_id, units)]``."""
    sub = _sub_for(session, actor, sub_order_id, buyer_only=True)
    if OrderStatus(sub.status) not in AFTER_DELIVERY:
        raise AfterSalesClosed(why=_l("it has not been delivered."), field="sub_order_id")
    try:
        reason_kind = ReturnReason(reason_kind)
    except ValueError:
        raise AfterSalesInvalid(field="reason_kind") from None
    if not lines:
        raise AfterSalesInvalid(_l("Choose what you are sending back."), field="lines")
    by_id = {line.id: line for line in sub.lines}
    open_units = _units_in_open_returns(session, sub.id)
    rules = rules_for(session, [by_id[i] for i, _ in lines if i in by_id])
    chosen: list[tuple[OrderLine, int]] = []
    for line_id, units in lines:
        line = by_id.get(line_id)
        if line is None:
            raise NotFound(field="lines")
        left = line.quantity - line.returned_quantity - open_units.get(line.id, 0)
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= left:
            raise AfterSalesInvalid(_l("More units than the line has."), field="lines")
        rule = rules.get(line.id, DEFAULT_RULE)
        days = rule.no_reason_days if reason_kind == ReturnReason.NO_REASON else rule.quality_days
        if days <= 0:
            raise AfterSalesClosed(
                why=_l("fresh produce is not returned without a reason; file a claim instead."),
                field="reason_kind",
            )
        if _delivered_since(sub) > timedelta(days=days):
            raise AfterSalesClosed(
                why=_l("returns close %(days)s days after delivery.", days=days),
                field="sub_order_id",
            )
        chosen.append((line, units))
    request = ReturnRequest(
        sub_order_id=sub.id,
        consumer_id=actor.id,
        reason_kind=reason_kind,
        reason=_clean(reason, 300),
        lines=[ReturnLine(order_line_id=line.id, quantity=units) for line, units in chosen],
    )
    session.add(request)
    session.flush()
    log(
        session,
        sub.order_id,
        OrderEventKind.AFTER_SALES,
        sub_order_id=sub.id,
        code="return_requested",
        message=request.reason,
        actor_id=actor.id,
    )
    session.flush()
    return request


def _units_in_open_returns(session: Session, sub_order_id: int) -> dict[int, int]:
    rows = session.execute(
        sa.select(ReturnLine.order_line_id, sa.func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.request_id)
        .where(
            ReturnRequest.sub_order_id == sub_order_id,
            ReturnRequest.status.in_((ReturnStatus.REQUESTED, ReturnStatus.APPROVED)),
        )
        .group_by(ReturnLine.order_line_id)
    ).all()
    return {line_id: int(n) for line_id, n in rows}


def _return(session: Session, actor: User, request_id: int) -> ReturnRequest:
    request = session.get(ReturnRequest, request_id)
    if request is None:
        raise NotFound(field="return_id")
    _decider(actor, request.sub_order)
    return request


def decide_return(
    session: Session, actor: User, request_id: int, approve: bool, note: str = ""
) -> ReturnRequest:
    request = _return(session, actor, request_id)
    if request.status != ReturnStatus.REQUESTED:
        raise InvalidTransition(state=RETURN_STATUS_LABELS[request.status], field="return_id")
    note = _clean(note, 300)
    if not approve and len(note) < 2:
        raise AfterSalesInvalid(_l("Give the buyer a reason."), field="note")
    request.status = ReturnStatus.APPROVED if approve else ReturnStatus.REJECTED
    request.decision_note = note
    request.decided_by_id = actor.id
    request.decided_at = clock.now()
    log(
        session,
        request.sub_order.order_id,
        OrderEventKind.AFTER_SALES,
        sub_order_id=request.sub_order_id,
        code="return_approved" if approve else "return_rejected",
        message=note,
        actor_id=actor.id,
    )
    session.flush()
    return request


def receive_return(session: Session, actor: User, request_id: int) -> ReturnRequest:
    """The goods are back: the returned units are refunded (their share of the line)."""
    request = _return(session, actor, request_id)
    if request.status != ReturnStatus.APPROVED:
        raise InvalidTransition(state=RETURN_STATUS_LABELS[request.status], field="return_id")
    refunds = []
    for rl in request.lines:
        line = rl.line
        per_unit_left = (line.total_fen - line.refunded_fen) // max(
            1, line.quantity - line.returned_quantity
        )
        refunds.append(LineRefund(line.id, per_unit_left * rl.quantity, rl.quantity))
    refund = refund_sub_order(
        session,
        None,
        request.sub_order_id,
        kind=RefundKind.RETURN,
        reason=f"return #{request.id}",
        lines=refunds,
    )
    request.status = ReturnStatus.RECEIVED
    request.refund_id = refund.id
    request.decided_by_id = request.decided_by_id or actor.id
    session.flush()
    return request


# ----------------------------------------------------------------------------- 坏果包赔


def file_claim(
    session: Session,
    actor: User,
    sub_order_id: int,
    line_id: int,
    *,
    bad_units: int,
    requested_fen: int,
    description: str,
    image_ids: list[int],
) -> Claim:
    """坏果包赔: bad units on arrival, shown on photos (already stored and validated)."""
    sub = _sub_for(session, actor, sub_order_id, buyer_only=True)
    if OrderStatus(sub.status) not in AFTER_DELIVERY:
        raise AfterSalesClosed(why=_l("it has not been delivered."), field="sub_order_id")
    line = next((x for x in sub.lines if x.id == line_id), None)
    if line is None:
        raise NotFound(field="line_id")
    rule = rules_for(session, [line]).get(line.id, DEFAULT_RULE)
    if rule.claim_hours <= 0:
        raise AfterSalesClosed(
            why=_l("claims for bad fruit are for fresh produce."), field="line_id"
        )
    if _delivered_since(sub) > timedelta(hours=rule.claim_hours):
        raise AfterSalesClosed(
            why=_l("claims close %(hours)s hours after delivery.", hours=rule.claim_hours),
            field="sub_order_id",
        )
    if (
        isinstance(bad_units, bool)
        or not isinstance(bad_units, int)
        or not 1 <= bad_units <= line.quantity
    ):
        raise AfterSalesInvalid(_l("Say how many units arrived bad."), field="bad_units")
    left = line.total_fen - line.refunded_fen
    if (
        isinstance(requested_fen, bool)
        or not isinstance(requested_fen, int)
        or not 1 <= requested_fen <= left
    ):
        raise AfterSalesInvalid(
            _l("Ask for at most %(left)s.", left=format_fen(left)), field="requested_fen"
        )
    if not 1 <= len(image_ids) <= MAX_PHOTOS:
        raise AfterSalesInvalid(
            _l("Add 1 to %(n)s photos of the bad fruit.", n=MAX_PHOTOS), field="photos"
        )
    if session.scalar(
        sa.select(Claim.id).where(Claim.order_line_id == line.id, Claim.status == ClaimStatus.OPEN)
    ):
        raise AfterSalesClosed(why=_l("a claim for this item is open."), field="line_id")
    claim = Claim(
        sub_order_id=sub.id,
        order_line_id=line.id,
        consumer_id=actor.id,
        bad_units=bad_units,
        requested_fen=requested_fen,
        description=_clean(description, 500),
        photos=[ClaimPhoto(image_id=i) for i in dict.fromkeys(image_ids)],
    )
    session.add(claim)
    session.flush()
    log(
        session,
        sub.order_id,
        OrderEventKind.AFTER_SALES,
        sub_order_id=sub.id,
        code="claim_filed",
        message=f"{line.product_name} × {bad_units} {format_fen(requested_fen)}",
        actor_id=actor.id,
    )
    from yipin.notifications import notify_supplier

    notify_supplier(
        session,
        sub.supplier_id,
        "order.claim",
        f"坏果包赔申请 {sub.number}",
        f"{line.product_name}：{bad_units} 件，申请 {format_fen(requested_fen)}",
    )
    session.flush()
    return claim


def decide_claim(
    session: Session,
    actor: User,
    claim_id: int,
    *,
    approve: bool,
    amount_fen: int | None = None,
    note: str = "",
) -> Claim:
    """Approve (all or part of what was asked: a partial refund on the line) or reject."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(field="claim_id")
    _decider(actor, claim.sub_order)
    if claim.status != ClaimStatus.OPEN:
        raise InvalidTransition(state=CLAIM_STATUS_LABELS[claim.status], field="claim_id")
    note = _clean(note, 300)
    if approve:
        amount = claim.requested_fen if amount_fen is None else amount_fen
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int)
            or not 1 <= amount <= claim.requested_fen
        ):
            raise AfterSalesInvalid(
                _l("Approve at most %(left)s.", left=format_fen(claim.requested_fen)),
                field="amount_fen",
            )
        refund = refund_sub_order(
            session,
            None,
            claim.sub_order_id,
            kind=RefundKind.CLAIM,
            reason=f"坏果包赔 #{claim.id}",
            lines=[LineRefund(claim.order_line_id, amount, 0)],
        )
        claim.status = ClaimStatus.APPROVED
        claim.approved_fen = amount
        claim.refund_id = refund.id
    else:
        if len(note) < 2:
            raise AfterSalesInvalid(_l("Give the buyer a reason."), field="note")
        claim.status = ClaimStatus.REJECTED
    claim.decision_note = note
    claim.decided_by_id = actor.id
    claim.decided_at = clock.now()
    log(
        session,
        claim.sub_order.order_id,
        OrderEventKind.AFTER_SALES,
        sub_order_id=claim.sub_order_id,
        code="claim_approved" if approve else "claim_rejected",
        message=" ".join(x for x in (format_fen(claim.approved_fen) if approve else "", note) if x),
        actor_id=actor.id,
    )
    session.flush()
    return claim
