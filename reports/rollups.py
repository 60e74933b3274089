"""Daily rollups (日汇总) of the sales ledger, kept current by the ledger's outbox topic.

A day is always rebuilt whole: its rollup rows are deleted and summed again from the ledger rows
that occurred on that Shanghai calendar day. A rebuild is therefore idempotent and independent of
the order in which entries arrive: an outbox entry that runs twice, or two transactions that
commit out of order, leave the same rows. Two rebuilds of one day queue on that day's
``report_rollup_days`` row (``SELECT … FOR UPDATE``); the later one sees the other's ledger rows,
because the outbox hands an entry over only after its transaction committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orders.models import LedgerEntryKind, Order, SalesLedgerEntry
from reports.models import DailyBuyers, DailySales, RollupDay
from reports.periods import day_bounds, local_day
from yipin import clock

L = SalesLedgerEntry

SALES_COLUMNS = [
    "day",
    "supplier_id",
    "supplier_county_code",
    "origin_county_code",
    "origin_township_code",
    "category_id",
    "brand_id",
    "buyer_type",
    "is_upward",
    "sales_fen",
    "refunds_fen",
    "quantity",
    "lines",
]
BUYER_COLUMNS = ["day", "supplier_id", "supplier_county_code", "consumer_id", "sub_orders"]


def _lock_day(session: Session, day: date) -> RollupDay:
    row = session.get(RollupDay, day, with_for_update=True)
    if row is None:
        if session.bind is not None and session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert

            session.execute(
                insert(RollupDay)
                .values(day=day, rebuilt_at=clock.now(), ledger_rows=0)
                .on_conflict_do_nothing()
            )
        else:
            session.add(RollupDay(day=day, rebuilt_at=clock.now(), ledger_rows=0))
            session.flush()
        row = session.get(RollupDay, day, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def rebuild_day(session: Session, day: date) -> int:
    """Sum one Shanghai calendar day of the ledger again; returns the ledger rows it covered."""
    lock = _lock_day(session, day)
    start, end = day_bounds(day)
    in_day = sa.and_(L.occurred_at >= start, L.occurred_at < end)
    session.execute(sa.delete(DailySales).where(DailySales.day == day))
    session.execute(sa.delete(DailyBuyers).where(DailyBuyers.day == day))
    is_sale = L.kind == LedgerEntryKind.SALE
    dims = [
        L.supplier_id,
        L.supplier_county_code,
        L.origin_county_code,
        L.origin_township_code,
        L.category_id,
        L.brand_id,
        L.buyer_type,
        L.is_upward,
    ]
    select = (
        sa.select(
            sa.literal(day, sa.Date),
            *dims,
            sa.func.coalesce(sa.func.sum(sa.case((is_sale, L.amount_fen), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((is_sale, 0), else_=-L.amount_fen)), 0),
            sa.func.coalesce(sa.func.sum(L.quantity), 0),
            sa.func.count(sa.case((is_sale, L.id))),
        )
        .where(in_day)
        .group_by(*dims)
    )
    session.execute(
        sa.insert(DailySales).from_select(SALES_COLUMNS, select),
        execution_options={"synchronize_session": False},
    )
    buyers = (
        sa.select(
            sa.literal(day, sa.Date),
            L.supplier_id,
            L.supplier_county_code,
            Order.consumer_id,
            sa.func.count(sa.distinct(L.sub_order_id)),
        )
        .join(Order, Order.id == L.order_id)
        .where(in_day, is_sale)
        .group_by(L.supplier_id, L.supplier_county_code, Order.consumer_id)
    )
    session.execute(
        sa.insert(DailyBuyers).from_select(BUYER_COLUMNS, buyers),
        execution_options={"synchronize_session": False},
    )
    count = session.scalar(sa.select(sa.func.count()).select_from(L).where(in_day)) or 0
    lock.ledger_rows = count
    lock.rebuilt_at = clock.now()
    session.flush()
    return count


def rebuild_days(session: Session, days: Iterable[date]) -> int:
    """Rebuild these days (each once, in date order: locks are always taken in one order)."""
    return sum(rebuild_day(session, day) for day in sorted(set(days)))


def ledger_days(session: Session, start: date | None = None, end: date | None = None) -> list[date]:
    """The Shanghai days on which the ledger has rows (between ``start`` and ``end``)."""
    first, last = session.execute(
        sa.select(sa.func.min(L.occurred_at), sa.func.max(L.occurred_at))
    ).one()
    if first is None:
        return []
    lo = max(local_day(first), start) if start else local_day(first)
    hi = min(local_day(last), end) if end else local_day(last)
    return [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]


def days_of(values: Iterable[str]) -> list[date]:
    """Dates from an outbox payload (ISO strings); malformed ones are ignored."""
    out = []
    for value in values:
        try:
            out.append(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return out
