"""Reads of the order side, with eager loading and the caller's scope.

Who sees what: a consumer their own orders (everything but other people's); supplier staff the
sub-orders of their own supplier (where the parcel goes, not how it was paid); operators
everything; bureau staff only the sales ledger of their region (no personal data). Anything out
of scope is "not found" (404), never revealed.

Other domains ask here too (orders owns its tables): the catalog's traceability shows how
many units of a batch were sold, and a recall lists the orders that received a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from orders.models import (
    SOLD_STATUSES,
    Claim,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    ReturnRequest,
    SalesLedgerEntry,
    SubOrder,
)
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.errors import NotFound
from yipin.regions.models import Region

ORDER_DETAIL = (
    selectinload(Order.sub_orders).selectinload(SubOrder.lines),
    selectinload(Order.sub_orders).joinedload(SubOrder.supplier),
    selectinload(Order.sub_orders).selectinload(SubOrder.refunds).selectinload(Refund.lines),
    selectinload(Order.payments),
    selectinload(Order.events),
    joinedload(Order.region),
)


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)


def order_for(session: Session, user: User, order_id: int) -> Order:
    """One order with everything its page shows (buyer: own; operators: any)."""
    order = session.scalars(
        sa.select(Order).where(Order.id == order_id).options(*ORDER_DETAIL)
    ).one_or_none()
    if order is None or not (user.role == Role.OPERATOR or order.consumer_id == user.id):
        raise NotFound(field="order_id")
    return order


def order_by_number(session: Session, user: User, number: str) -> Order:
    order_id = session.scalar(sa.select(Order.id).where(Order.number == number))
    if order_id is None:
        raise NotFound(field="number")
    return order_for(session, user, order_id)


def orders_stmt(user: User, **filters: Any) -> sa.Select[Any]:
    """Orders a user may list: their own (consumers), all (operators), none (others)."""
    stmt = sa.select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if user.role == Role.CONSUMER:
        stmt = stmt.where(Order.consumer_id == user.id)
    elif user.role != Role.OPERATOR:
        return stmt.where(sa.false())
    if filters.get("status"):
        stmt = stmt.where(Order.status == filters["status"])
    if filters.get("payment_method"):
        stmt = stmt.where(Order.payment_method == filters["payment_method"])
    if filters.get("buyer_type"):
        stmt = stmt.where(Order.buyer_type == filters["buyer_type"])
    if filters.get("placed_from"):
        stmt = stmt.where(Order.placed_at >= _local_start(filters["placed_from"]))
    if filters.get("placed_to"):
        stmt = stmt.where(Order.placed_at < _local_start(filters["placed_to"] + timedelta(days=1)))
    if user.role == Role.OPERATOR:
        if filters.get("supplier_id"):
            stmt = stmt.where(
                Order.id.in_(
                    sa.select(SubOrder.order_id).where(
                        SubOrder.supplier_id == filters["supplier_id"]
                    )
                )
            )
        text = (filters.get("q") or "").strip()
        if text:
            stmt = stmt.where(
                sa.or_(
                    Order.number.startswith(text.upper().split("-")[0], autoescape=True),
                    Order.recipient_phone == text,
                    Order.recipient_name.icontains(text, autoescape=True),
                    Order.invoice_title.icontains(text, autoescape=True),
                    Order.invoice_uscc == text.upper(),
                )
            )
    return stmt


def sub_order_for(session: Session, user: User, sub_order_id: int) -> SubOrder:
    """One sub-order: its supplier's staff, the buyer, operators."""
    sub = session.scalars(
        sa.select(SubOrder)
        .where(SubOrder.id == sub_order_id)
        .options(
            selectinload(SubOrder.lines),
            joinedload(SubOrder.order),
            joinedload(SubOrder.supplier),
            selectinload(SubOrder.refunds).selectinload(Refund.lines),
        )
    ).one_or_none()
    if sub is None or not can_see_sub_order(user, sub):
        raise NotFound(field="sub_order_id")
    return sub


def can_see_sub_order(user: User, sub: SubOrder) -> bool:
    if user.role == Role.OPERATOR:
        return True
    if user.role == Role.SUPPLIER:
        return sub.supplier_id == user.supplier_id
    if user.role == Role.CONSUMER:
        return sub.order.consumer_id == user.id
    return False


def sub_orders_stmt(user: User, **filters: Any) -> sa.Select[Any]:
    """Sub-orders a supplier (its own) or an operator (all, or one supplier's) may list."""
    stmt = (
        sa.select(SubOrder)
        .join(Order, Order.id == SubOrder.order_id)
        .options(
            selectinload(SubOrder.lines), joinedload(SubOrder.order), joinedload(SubOrder.supplier)
        )
        .order_by(Order.placed_at.desc(), SubOrder.id.desc())
    )
    if user.role == Role.SUPPLIER:
        stmt = stmt.where(SubOrder.supplier_id == user.supplier_id)
    elif user.role == Role.OPERATOR:
        if filters.get("supplier_id"):
            stmt = stmt.where(SubOrder.supplier_id == filters["supplier_id"])
    else:
        return stmt.where(sa.false())
    if filters.get("status"):
        stmt = stmt.where(SubOrder.status == filters["status"])
    return stmt


def history(session: Session, order_id: int) -> list[OrderEvent]:
    return list(
        session.scalars(
            sa.select(OrderEvent)
            .where(OrderEvent.order_id == order_id)
            .options(joinedload(OrderEvent.actor))
            .order_by(OrderEvent.at, OrderEvent.id)
        )
    )


def claims_stmt(user: User, status: Any = None) -> sa.Select[Any]:
    stmt = (
        sa.select(Claim)
        .join(SubOrder, SubOrder.id == Claim.sub_order_id)
        .options(selectinload(Claim.photos), joinedload(Claim.line), joinedload(Claim.sub_order))
        .order_by(Claim.created_at.desc(), Claim.id.desc())
    )
    if user.role == Role.SUPPLIER:
        stmt = stmt.where(SubOrder.supplier_id == user.supplier_id)
    elif user.role == Role.CONSUMER:
        stmt = stmt.where(Claim.consumer_id == user.id)
    elif user.role != Role.OPERATOR:
        return stmt.where(sa.false())
    if status:
        stmt = stmt.where(Claim.status == status)
    return stmt


def claim_for(session: Session, user: User, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or not can_see_sub_order(user, claim.sub_order):
        raise NotFound(field="claim_id")
    return claim


def return_for(session: Session, user: User, return_id: int) -> ReturnRequest:
    request = session.get(ReturnRequest, return_id)
    if request is None or not can_see_sub_order(user, request.sub_order):
        raise NotFound(field="return_id")
    return request


def returns_stmt(user: User, sub_order_id: int | None = None) -> sa.Select[Any]:
    stmt = (
        sa.select(ReturnRequest)
        .join(SubOrder, SubOrder.id == ReturnRequest.sub_order_id)
        .options(selectinload(ReturnRequest.lines))
        .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
    )
    if sub_order_id is not None:
        stmt = stmt.where(ReturnRequest.sub_order_id == sub_order_id)
    if user.role == Role.SUPPLIER:
        return stmt.where(SubOrder.supplier_id == user.supplier_id)
    if user.role == Role.CONSUMER:
        return stmt.where(ReturnRequest.consumer_id == user.id)
    if user.role == Role.OPERATOR:
        return stmt
    return stmt.where(sa.false())


def payment_for(session: Session, user: User, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None or not (user.role == Role.OPERATOR or payment.order.consumer_id == user.id):
        raise NotFound(field="payment_id")
    return payment


def refund_for(session: Session, user: User, refund_id: int) -> Refund:
    refund = session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(field="refund_id")
    order = session.get(Order, refund.order_id)
    visible = user.role == Role.OPERATOR or (order is not None and order.consumer_id == user.id)
    if user.role == Role.SUPPLIER and refund.sub_order is not None:
        visible = refund.sub_order.supplier_id == user.supplier_id
    if not visible:
        raise NotFound(field="refund_id")
    return refund


def awaiting_bank_transfer(session: Session, limit: int = 200) -> list[Payment]:
    from orders.models import PaymentMethod, PaymentStatus

    return list(
        session.scalars(
            sa.select(Payment)
            .join(Order, Order.id == Payment.order_id)
            .where(
                Payment.method == PaymentMethod.BANK_TRANSFER,
                Payment.status == PaymentStatus.PENDING,
                Order.status == "pending_payment",
            )
            .options(joinedload(Payment.order))
            .order_by(Payment.created_at)
            .limit(limit)
        )
    )


def pending_offline_refunds(session: Session, limit: int = 200) -> list[Refund]:
    from orders.models import PaymentProvider, RefundStatus

    return list(
        session.scalars(
            sa.select(Refund)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(
                Refund.status == RefundStatus.PENDING, Payment.provider == PaymentProvider.OFFLINE
            )
            .options(joinedload(Refund.sub_order))
            .order_by(Refund.created_at)
            .limit(limit)
        )
    )


def ledger_stmt(user: User, **filters: Any) -> sa.Select[Any]:
    """Ledger entries: all (operators), the supplier's own (staff), the bureau's region (by the
    supplier's county), none (consumers). Oldest first, so readers can page by id."""
    stmt = sa.select(SalesLedgerEntry).order_by(SalesLedgerEntry.id)
    if user.role == Role.SUPPLIER:
        stmt = stmt.where(SalesLedgerEntry.supplier_id == user.supplier_id)
    elif user.role == Role.BUREAU:
        stmt = stmt.where(
            SalesLedgerEntry.supplier_county_code.startswith(user.bureau_scope[:6], autoescape=True)
        )
    elif user.role != Role.OPERATOR:
        return stmt.where(sa.false())
    if filters.get("supplier_id") and user.role != Role.SUPPLIER:
        stmt = stmt.where(SalesLedgerEntry.supplier_id == filters["supplier_id"])
    if filters.get("kind"):
        stmt = stmt.where(SalesLedgerEntry.kind == filters["kind"])
    if filters.get("occurred_from"):
        stmt = stmt.where(SalesLedgerEntry.occurred_at >= _local_start(filters["occurred_from"]))
    if filters.get("occurred_to"):
        stmt = stmt.where(
            SalesLedgerEntry.occurred_at < _local_start(filters["occurred_to"] + timedelta(days=1))
        )
    if filters.get("after_id") is not None:
        stmt = stmt.where(SalesLedgerEntry.id > filters["after_id"])
    return stmt


def declared_state_owned_stmt() -> sa.Select[Any]:
    """Organisations that declared 国有企业 at checkout but are not on the list (for operators
    to check and add): code, title, orders, last order."""
    from orders.models import BuyerTypeBasis

    return (
        sa.select(
            Order.invoice_uscc,
            sa.func.max(Order.invoice_title),
            sa.func.count(Order.id),
            sa.func.max(Order.placed_at),
        )
        .where(Order.buyer_type_basis == BuyerTypeBasis.DECLARATION)
        .group_by(Order.invoice_uscc)
        .order_by(sa.func.count(Order.id).desc())
        .limit(100)
    )


# ----------------------------------------------------------------------------- for other domains

# Orders that received goods of a batch (a recall reaches refunded ones too).
RECEIVED_STATUSES = (*SOLD_STATUSES, OrderStatus.REFUNDED)


def units_sold_of_batch(session: Session, batch_id: int) -> int:
    """Units of the batch in sold (paid, shipped, delivered, completed) sub-orders."""
    total = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(OrderLine.quantity), 0))
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .where(OrderLine.batch_id == batch_id, SubOrder.status.in_(SOLD_STATUSES))
    )
    return int(total or 0)


@dataclass
class ReceivedOrder:
    """An order that received goods of a batch (operators only: recall work). No recipient
    name, phone or address: the destination county is enough to plan a recall."""

    order_id: int
    number: str
    placed_at: datetime
    paid_at: datetime | None
    status: OrderStatus
    quantity: int
    county_code: str
    county_name: str


def orders_with_batch(session: Session, batch_id: int) -> list[ReceivedOrder]:
    """Orders whose lines shipped from this batch, with the quantity and destination county."""
    rows = session.execute(
        sa.select(
            Order.id,
            Order.number,
            Order.placed_at,
            Order.paid_at,
            Order.status,
            Order.region_code,
            sa.func.sum(OrderLine.quantity),
        )
        .join(SubOrder, SubOrder.order_id == Order.id)
        .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
        .where(OrderLine.batch_id == batch_id, SubOrder.status.in_(RECEIVED_STATUSES))
        .group_by(
            Order.id,
            Order.number,
            Order.placed_at,
            Order.paid_at,
            Order.status,
            Order.region_code,
        )
        .order_by(Order.placed_at, Order.id)
    ).all()
    counties = {r.region_code[:6] for r in rows}
    names = {
        r.code: r.full_name
        for r in session.scalars(sa.select(Region).where(Region.code.in_(counties)))
    }
    return [
        ReceivedOrder(
            order_id=r[0],
            number=r[1],
            placed_at=r[2],
            paid_at=r[3],
            status=OrderStatus(r[4]),
            quantity=int(r[6]),
            county_code=r[5][:6],
            county_name=names.get(r[5][:6], r[5][:6]),
        )
        for r in rows
    ]
