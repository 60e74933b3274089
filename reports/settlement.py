"""Supplier settlement (结算): commission rules, one statement per supplier and billing cycle
(a calendar month in Shanghai), payouts recorded by operators.

- **Figures** come from the supplier's ledger entries of the cycle: sales and refunds *booked in
  the cycle* (a refund is booked when the money went back, as everywhere in reports), plus the
  shipping the buyers paid on the supplier's parcels sold in the cycle, less shipping refunded in
  it.
- **Commission**: for each entry the most specific rule valid on the day of the sale applies (a
  refund gives commission back at the rate its sale paid) —
  supplier + category, then supplier, then category, then the platform default (neither) — with
  its rate in basis points. Commission is computed per (category, rate) line of the statement
  on that line's net sales, rounded half up to the fen; a refund-heavy line gives commission back.
- **Net payable** = sales − refunds − commission + shipping.
- A statement is made again (figures replaced) while no payout is recorded on it; after that it
  stands, and what comes later belongs to later cycles anyway.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from orders.models import LedgerEntryKind, Refund, RefundStatus, SalesLedgerEntry, SubOrder
from reports.errors import (
    InvalidAmount,
    InvalidReference,
    InvalidRule,
    Overpaid,
    StatementHasPayouts,
)
from reports.models import CommissionRule, DailySales, Payout, SettlementStatement, StatementStatus
from reports.periods import Grain, day_bounds, local_day, next_bucket
from suppliers.models import Supplier
from yipin.accounts.models import Role, User
from yipin.errors import NotFound
from yipin.money import format_fen


def cycle_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    return start, next_bucket(start, Grain.MONTH) - timedelta(days=1)


def add_rule(
    session: Session,
    actor: User,
    *,
    rate_bp: int,
    valid_from: date,
    valid_to: date | None = None,
    supplier_id: int | None = None,
    category_id: int | None = None,
    note: str = "",
) -> CommissionRule:
    if not 0 <= rate_bp <= 10_000:
        raise InvalidRule(why="rate", field="rate_bp")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidRule(why="dates", field="valid_to")
    if supplier_id is not None and session.get(Supplier, supplier_id) is None:
        raise InvalidRule(why="supplier", field="supplier_id")
    rule = CommissionRule(
        supplier_id=supplier_id,
        category_id=category_id,
        rate_bp=rate_bp,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note[:200],
        created_by_id=actor.id,
    )
    session.add(rule)
    session.flush()
    return rule


def _rules_for(session: Session, supplier_id: int, start: date, end: date) -> list[CommissionRule]:
    return list(
        session.scalars(
            sa.select(CommissionRule)
            .where(
                sa.or_(
                    CommissionRule.supplier_id == supplier_id, CommissionRule.supplier_id.is_(None)
                ),
                CommissionRule.valid_from <= end,
                sa.or_(CommissionRule.valid_to.is_(None), CommissionRule.valid_to >= start),
            )
            .order_by(CommissionRule.id.desc())
        )
    )


def rate_for(rules: list[CommissionRule], supplier_id: int, category_id: int, day: date) -> int:
    """The rate (bp) of the most specific rule valid on ``day`` (newest first among equals)."""

    def specificity(rule: CommissionRule) -> int:
        return (2 if rule.supplier_id is not None else 0) + (
            1 if rule.category_id is not None else 0
        )

    candidates = [
        r
        for r in rules
        if r.valid_from <= day
        and (r.valid_to is None or r.valid_to >= day)
        and r.supplier_id in (None, supplier_id)
        and r.category_id in (None, category_id)
    ]
    if not candidates:
        return 0
    return max(candidates, key=lambda r: (specificity(r), r.id)).rate_bp


def _round_half_up(numerator: int, denominator: int) -> int:
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (2 * denominator))


def compute(session: Session, supplier_id: int, start: date, end: date) -> dict[str, Any]:
    rules = _rules_for(session, supplier_id, date(2000, 1, 1), end)
    lo, _unused = day_bounds(start)
    hi = day_bounds(end)[1]
    L = SalesLedgerEntry
    sale = aliased(SalesLedgerEntry)
    entries = session.execute(
        sa.select(
            L.kind, L.category_id, L.amount_fen, sa.func.coalesce(sale.occurred_at, L.occurred_at)
        )
        .outerjoin(sale, sale.id == L.reverses_id)
        .where(L.supplier_id == supplier_id, L.occurred_at >= lo, L.occurred_at < hi)
    ).all()
    lines: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: {"sales_fen": 0, "refunds_fen": 0}
    )
    for kind, category_id, amount, sold_at in entries:
        # a refund gives commission back at the rate its sale paid
        rate = rate_for(rules, supplier_id, category_id, local_day(sold_at))
        line = lines[(category_id, rate)]
        if kind == LedgerEntryKind.SALE:
            line["sales_fen"] += int(amount)
        else:
            line["refunds_fen"] -= int(amount)
    details = []
    for (category_id, rate), line in sorted(lines.items()):
        net = line["sales_fen"] - line["refunds_fen"]
        details.append(
            {
                "category_id": category_id,
                "rate_bp": rate,
                **line,
                "net_fen": net,
                "commission_fen": _round_half_up(net * rate, 10_000),
            }
        )
    sold_parcels = (
        sa.select(L.sub_order_id)
        .where(
            L.supplier_id == supplier_id,
            L.kind == LedgerEntryKind.SALE,
            L.occurred_at >= lo,
            L.occurred_at < hi,
        )
        .distinct()
        .scalar_subquery()
    )
    shipping = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SubOrder.shipping_fen), 0)).where(
            SubOrder.id.in_(sold_parcels)
        )
    )
    shipping_back = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Refund.shipping_fen), 0))
        .join(SubOrder, SubOrder.id == Refund.sub_order_id)
        .where(
            SubOrder.supplier_id == supplier_id,
            Refund.status == RefundStatus.SUCCEEDED,
            Refund.succeeded_at >= lo,
            Refund.succeeded_at < hi,
        )
    )
    sales = sum(d["sales_fen"] for d in details)
    refunds = sum(d["refunds_fen"] for d in details)
    commission = sum(d["commission_fen"] for d in details)
    shipping_net = int(shipping or 0) - int(shipping_back or 0)
    return {
        "sales_fen": sales,
        "refunds_fen": refunds,
        "commission_fen": commission,
        "shipping_fen": shipping_net,
        "net_payable_fen": sales - refunds - commission + shipping_net,
        "details": details,
    }


def make_statement(session: Session, supplier_id: int, any_day: date) -> SettlementStatement:
    """The supplier's statement of the cycle holding ``any_day`` (made, or made again)."""
    if session.get(Supplier, supplier_id) is None:
        raise NotFound()
    start, end = cycle_of(any_day)
    figures = compute(session, supplier_id, start, end)
    statement = session.scalars(
        sa.select(SettlementStatement).where(
            SettlementStatement.supplier_id == supplier_id, SettlementStatement.cycle_start == start
        )
    ).first()
    if statement is not None and statement.payouts:
        raise StatementHasPayouts()
    if statement is None:
        statement = SettlementStatement(
            supplier_id=supplier_id, cycle_start=start, cycle_end=end, **figures
        )
        session.add(statement)
    else:
        for key, value in figures.items():
            setattr(statement, key, value)
    session.flush()
    return statement


def make_statements(session: Session, any_day: date) -> list[SettlementStatement]:
    """Statements of the cycle for every supplier with sales or refunds in it."""
    start, end = cycle_of(any_day)
    ids = session.scalars(
        sa.select(DailySales.supplier_id)
        .where(DailySales.day >= start, DailySales.day <= end)
        .distinct()
    ).all()
    out = []
    for supplier_id in sorted(ids):
        try:
            out.append(make_statement(session, supplier_id, any_day))
        except StatementHasPayouts:
            continue
    return out


def record_payout(
    session: Session,
    actor: User,
    statement_id: int,
    amount_fen: int,
    bank_reference: str,
    paid_on: date,
) -> Payout:
    statement = session.get(SettlementStatement, statement_id, with_for_update=True)
    if statement is None:
        raise NotFound()
    if amount_fen <= 0:
        raise InvalidAmount(field="amount")
    reference = bank_reference.strip()
    if not reference or len(reference) > 60:
        raise InvalidReference(field="bank_reference")
    if amount_fen > statement.outstanding_fen:
        raise Overpaid(outstanding=format_fen(statement.outstanding_fen), field="amount")
    payout = Payout(
        statement_id=statement.id,
        amount_fen=amount_fen,
        bank_reference=reference,
        paid_on=paid_on,
        recorded_by_id=actor.id,
    )
    session.add(payout)
    statement.payouts.append(payout)
    session.flush()
    if statement.outstanding_fen == 0:
        statement.status = StatementStatus.PAID
    session.flush()
    return payout


def statements_for(
    session: Session, user: User, supplier_id: int | None = None
) -> list[SettlementStatement]:
    stmt = sa.select(SettlementStatement).order_by(
        SettlementStatement.cycle_start.desc(), SettlementStatement.id
    )
    if user.role == Role.SUPPLIER:
        stmt = stmt.where(SettlementStatement.supplier_id == user.supplier_id)
    elif user.role != Role.OPERATOR:
        return []
    elif supplier_id is not None:
        stmt = stmt.where(SettlementStatement.supplier_id == supplier_id)
    return list(session.scalars(stmt.limit(500)))


def statement_for(session: Session, user: User, statement_id: int) -> SettlementStatement:
    statement = session.get(SettlementStatement, statement_id)
    if statement is None:
        raise NotFound()
    if user.role == Role.SUPPLIER and statement.supplier_id != user.supplier_id:
        raise NotFound()
    if user.role not in (Role.SUPPLIER, Role.OPERATOR):
        raise NotFound()
    return statement
