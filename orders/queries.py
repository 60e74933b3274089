"""Reads of the orders domain that other domains ask for (orders owns its tables).

The catalog's traceability shows how many units of a batch were sold, and a recall lists the
orders that received a batch; both come from here, never from a query of another package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orders.models import SOLD_STATUSES, Order, OrderLine, OrderStatus, SubOrder
from yipin.regions.models import Region

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
