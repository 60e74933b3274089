"""Reads of the operators' fulfillment board: queues by status, exceptions, per-county 24 h
out-of-county rates (through ``fulfillment.service_levels``), and the consumer's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.orm import Session, selectinload

from fulfillment import service_levels
from fulfillment.routing.models import (
    FulfillmentOrder,
    FulfillmentStatus,
    RoutingDecision,
    Shipment,
    ShipmentStatus,
    SlaFlag,
    TrackingEvent,
)
from orders.models import SubOrder
from orders.status import OrderStatus
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.regions.models import Region, RegionLevel


def figures(user: User, start: datetime, end: datetime, county: str | None) -> dict[str, Any]:
    """The service-level figures the API returns (bureau staff: counties in their scope)."""
    from yipin.db import db

    if user.role == Role.BUREAU:
        scope = user.bureau_scope
        if county is None and len(scope) >= 6:
            county = scope[:6]
        if county is not None and not county.startswith(scope[:6]) and not county.startswith(scope):
            abort(404)
    within, total = service_levels.out_of_county_rate(db.session, start, end, county)
    covered, villages = service_levels.village_coverage(db.session, county)
    return {
        "out_of_county_within_24h": within,
        "out_of_county_parcels": total,
        "villages_covered": covered,
        "villages": villages,
        "average_delivery_hours": service_levels.average_delivery_hours(
            db.session, start, end, county
        ),
    }


@dataclass
class CountyRow:
    code: str
    name: str
    within: int
    total: int
    covered: int
    villages: int
    hours: float | None

    @property
    def rate(self) -> float | None:
        return self.within / self.total if self.total else None


def counties(session: Session, days: int = 30) -> list[CountyRow]:
    """Each county of the platform region: 24 h out-of-county rate over the last ``days`` days,
    village coverage and delivery hours."""
    region = str(current_app.config["PLATFORM_REGION"])
    end = clock.now()
    start = end - timedelta(days=days)
    rows = []
    for code, name in session.execute(
        sa.select(Region.code, Region.name)
        .where(Region.level == RegionLevel.COUNTY, Region.code.startswith(region))
        .order_by(Region.code)
    ).all():
        within, total = service_levels.out_of_county_rate(session, start, end, code)
        covered, villages = service_levels.village_coverage(session, code)
        hours = service_levels.average_delivery_hours(session, start, end, code)
        rows.append(CountyRow(code, name, within, total, covered, villages, hours))
    return rows


def queues(session: Session, status: FulfillmentStatus | None, limit: int = 50) -> dict[str, Any]:
    """Counts per status and the parcels of one status (open by default)."""
    counts = dict(
        session.execute(
            sa.select(FulfillmentOrder.status, sa.func.count()).group_by(FulfillmentOrder.status)
        ).all()
    )
    status = status or FulfillmentStatus.OPEN
    parcels = list(
        session.scalars(
            sa.select(FulfillmentOrder)
            .where(FulfillmentOrder.status == status)
            .options(selectinload(FulfillmentOrder.shipments))
            .order_by(FulfillmentOrder.id.desc())
            .limit(limit)
        )
    )
    return {"counts": {str(k): v for k, v in counts.items()}, "status": status, "parcels": parcels}


def exceptions(session: Session, limit: int = 50) -> dict[str, Any]:
    """What needs a person: open SLA flags, problem / returned parcels, unroutable sub-orders,
    parcels waiting for a waybill number."""
    flags = list(
        session.scalars(
            sa.select(SlaFlag)
            .where(SlaFlag.resolved_at.is_(None))
            .order_by(SlaFlag.raised_at.desc())
            .limit(limit)
        )
    )
    trouble = list(
        session.scalars(
            sa.select(Shipment)
            .where(Shipment.status.in_([ShipmentStatus.PROBLEM, ShipmentStatus.RETURNED]))
            .order_by(Shipment.id.desc())
            .limit(limit)
        )
    )
    waiting = list(
        session.scalars(
            sa.select(Shipment)
            .where(Shipment.status.in_([ShipmentStatus.AWAITING_NUMBER, ShipmentStatus.BOOKING]))
            .order_by(Shipment.id)
            .limit(limit)
        )
    )
    return {
        "flags": flags,
        "trouble": trouble,
        "waiting": waiting,
        "unroutable": unroutable_sub_orders(session, limit),
    }


def decisions_of(session: Session, sub_order_id: int) -> list[RoutingDecision]:
    return list(
        session.scalars(
            sa.select(RoutingDecision)
            .where(RoutingDecision.sub_order_id == sub_order_id)
            .order_by(RoutingDecision.id)
        )
    )


def timeline(session: Session, sub_order_id: int) -> list[dict[str, Any]]:
    """A sub-order's parcels with their events, newest first (the consumer's order page)."""
    shipments = list(
        session.scalars(
            sa.select(Shipment)
            .where(Shipment.sub_order_id == sub_order_id, Shipment.status != ShipmentStatus.VOIDED)
            .options(selectinload(Shipment.events))
            .order_by(Shipment.id)
        )
    )
    return [
        {
            "shipment": s,
            "events": sorted(s.events, key=lambda e: e.at, reverse=True),
        }
        for s in shipments
    ]


def timelines_for_order(session: Session, order_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every sub-order's parcels and events of one order, in two queries (the order page)."""
    shipments = list(
        session.scalars(
            sa.select(Shipment)
            .where(Shipment.order_id == order_id, Shipment.status != ShipmentStatus.VOIDED)
            .options(selectinload(Shipment.events))
            .order_by(Shipment.id)
        )
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for s in shipments:
        out.setdefault(s.sub_order_id, []).append(
            {"shipment": s, "events": sorted(s.events, key=lambda e: e.at, reverse=True)}
        )
    return out


__all__ = ["TrackingEvent", "counties", "exceptions", "figures", "queues", "timeline"]


def unroutable_sub_orders(
    session: Session, limit: int = 100
) -> list[tuple[SubOrder, RoutingDecision]]:
    """Sub-orders still awaiting routing whose last decision found no way (the board)."""
    last = (
        sa.select(RoutingDecision.sub_order_id, sa.func.max(RoutingDecision.id).label("id"))
        .group_by(RoutingDecision.sub_order_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(SubOrder, RoutingDecision)
        .join(last, last.c.sub_order_id == SubOrder.id)
        .join(RoutingDecision, RoutingDecision.id == last.c.id)
        .where(
            SubOrder.status == OrderStatus.AWAITING_ROUTING,
            RoutingDecision.outcome == "unroutable",
        )
        .order_by(SubOrder.id)
        .limit(limit)
    ).all()
    return [(s, d) for s, d in rows]
