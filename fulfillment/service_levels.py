"""Logistics service levels for the bureau's KPIs (reports, issue 11) and the operators'
fulfillment board. Read-only functions over ``shipments``; "county" is a 6-digit GB/T 2260
code of the parcel's origin (the sending warehouse's county).

- ``out_of_county_rate(session, start, end, county_code=None) -> (left_within_24h, all)``:
  parcels collected in ``[start, end)`` in the platform's villages and townships (the sending
  warehouse lies in one: ``Shipment.origin_is_rural``), and how many of them were scanned
  outside their county within 24 h of collection (村级快件24小时基本出县). Parcels for a
  destination in their own county are not counted (they never leave it).
- ``village_coverage(session, county_code=None) -> (covered, all)``: villages (12-digit
  regions loaded: the platform's) that have an active village service station (a pickup point
  or warehouse there) or a carrier whose coverage reaches villages there (快递进村).
- ``average_delivery_hours(session, start, end, county_code=None) -> float | None``: mean hours
  from collection to delivery of the parcels delivered in ``[start, end)``; None when none.

Times are aware datetimes (UTC stored); each function is one query.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fulfillment.models import PickupPoint, Warehouse, WarehouseKind
from fulfillment.routing.models import Carrier, CarrierCoverage, Shipment, ShipmentStatus
from yipin.regions.models import Region, RegionLevel

__all__ = ["average_delivery_hours", "out_of_county_rate", "village_coverage"]


def out_of_county_rate(
    session: Session, start: datetime, end: datetime, county_code: str | None = None
) -> tuple[int, int]:
    """(parcels out of their county within 24 h, all such parcels) collected in [start, end)."""
    conditions = [
        Shipment.origin_is_rural.is_(True),
        Shipment.collected_at >= start,
        Shipment.collected_at < end,
        Shipment.status != ShipmentStatus.VOIDED,
        sa.func.substr(Shipment.destination_region_code, 1, 6) != Shipment.origin_county_code,
    ]
    if county_code:
        conditions.append(Shipment.origin_county_code == county_code)
    rows = session.execute(
        sa.select(Shipment.collected_at, Shipment.out_of_county_at).where(*conditions)
    ).all()
    within = sum(
        1
        for collected, left in rows
        if left is not None and left - collected <= timedelta(hours=24)
    )
    return within, len(rows)


def village_coverage(session: Session, county_code: str | None = None) -> tuple[int, int]:
    """(villages with a service station or a carrier reaching them, all villages)."""
    village = Region.code
    station = sa.exists().where(
        PickupPoint.is_active.is_(True),
        village.startswith(PickupPoint.serves_region_code),
        sa.func.length(PickupPoint.serves_region_code) >= 6,
    )
    depot = sa.exists().where(
        Warehouse.is_active.is_(True),
        Warehouse.kind == WarehouseKind.VILLAGE_STATION,
        Warehouse.region_code == village,
    )
    carrier = sa.exists().where(
        CarrierCoverage.reaches_villages.is_(True),
        Carrier.id == CarrierCoverage.carrier_id,
        Carrier.is_active.is_(True),
        village.startswith(CarrierCoverage.region_code),
    )
    conditions = [Region.level == RegionLevel.VILLAGE]
    if county_code:
        conditions.append(Region.code.startswith(county_code))
    covered, total = session.execute(
        sa.select(
            sa.func.count().filter(sa.or_(station, depot, carrier)),
            sa.func.count(),
        ).where(*conditions)
    ).one()
    return int(covered or 0), int(total or 0)


def average_delivery_hours(
    session: Session, start: datetime, end: datetime, county_code: str | None = None
) -> float | None:
    """Mean hours from collection to delivery of the parcels delivered in [start, end)."""
    conditions = [
        Shipment.delivered_at >= start,
        Shipment.delivered_at < end,
        Shipment.collected_at.is_not(None),
    ]
    if county_code:
        conditions.append(Shipment.origin_county_code == county_code)
    rows = session.execute(
        sa.select(Shipment.collected_at, Shipment.delivered_at).where(*conditions)
    ).all()
    if not rows:
        return None
    return sum((d - c).total_seconds() for c, d in rows) / 3600 / len(rows)
