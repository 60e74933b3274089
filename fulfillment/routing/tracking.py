"""Tracking events: normalised, stored once, moving the parcel, its sub-order and order.

Whatever the source (a carrier's push, a poll, an operator's hand-over), events become
``Event``s with one of six statuses (collected, in transit, out for delivery, delivered,
problem, returned). ``apply_events`` stores the new ones (a repeated push changes nothing),
then derives the shipment's state: collected at the first scan, out of the county at the first
scan in another county, delivered, the pickup code when it lies at a station or locker. A
collected parcel ships its fulfillment order, and when all of a sub-order's parcels are out the
sub-order moves to ``shipped`` (``orders.lifecycle.mark_shipped``); delivered parcels move it
to ``delivered``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fulfillment.routing.models import (
    FulfillmentOrder,
    FulfillmentStatus,
    Shipment,
    ShipmentStatus,
    SlaFlag,
    SlaKind,
    TrackingEvent,
    TrackingStatus,
)
from orders import lifecycle
from orders.errors import AfterSalesInvalid, InvalidTransition
from orders.models import SubOrder
from orders.status import OrderStatus
from yipin import clock

log = logging.getLogger("yipin.fulfillment.tracking")

# 快递100 ``state``: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投,
# 8 清关, 14 拒签 (and the 2-digit sub-states of resultv2 = 4: 101 已下单 … 1xx/2xx/3xx …)
KUAIDI100_STATES = {
    "0": TrackingStatus.IN_TRANSIT,
    "1": TrackingStatus.COLLECTED,
    "2": TrackingStatus.PROBLEM,
    "3": TrackingStatus.DELIVERED,
    "4": TrackingStatus.RETURNED,
    "5": TrackingStatus.OUT_FOR_DELIVERY,
    "6": TrackingStatus.RETURNED,
    "7": TrackingStatus.IN_TRANSIT,
    "8": TrackingStatus.IN_TRANSIT,
    "14": TrackingStatus.PROBLEM,
}
PICKUP_CODE = re.compile(r"(?:取件码|提货码|取货码)[：:\s]*([0-9A-Za-z-]{3,20})")
STATION = re.compile(r"驿站|服务站|快递柜|丰巢|自提")
STATUS_OF_SHIPMENT = {
    TrackingStatus.COLLECTED: ShipmentStatus.COLLECTED,
    TrackingStatus.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED: ShipmentStatus.DELIVERED,
    TrackingStatus.PROBLEM: ShipmentStatus.PROBLEM,
    TrackingStatus.RETURNED: ShipmentStatus.RETURNED,
}


@dataclass(frozen=True)
class Event:
    at: datetime
    status: TrackingStatus
    carrier_state: str = ""
    description: str = ""
    location: str = ""
    region_code: str | None = None  # the division where the scan happened, when known

    @property
    def fingerprint(self) -> str:
        text = f"{self.carrier_state}|{self.description}|{self.location}"
        return hashlib.md5(text.encode("utf-8")).hexdigest()


def normalise_kuaidi100(state: str, status_code: str | None = None) -> TrackingStatus:
    """A 快递100 state (or resultv2 sub-state such as ``501``) as one of our six statuses."""
    for value in (status_code or "", state or ""):
        value = str(value)
        if value in KUAIDI100_STATES:
            return KUAIDI100_STATES[value]
        if len(value) >= 3 and value[0] in KUAIDI100_STATES:
            return KUAIDI100_STATES[value[0]]
        if len(value) >= 3 and value[:2] in KUAIDI100_STATES:
            return KUAIDI100_STATES[value[:2]]
    return TrackingStatus.IN_TRANSIT


def area_code(raw: str | None) -> str | None:
    """快递100's ``areaCode`` (``CN360734000000``) as our region code (county or deeper)."""
    digits = re.sub(r"\D", "", str(raw or ""))[:12]
    if len(digits) < 6 or digits[:6].endswith("00"):
        return None
    digits = digits.ljust(12, "0")
    if not digits[6:].strip("0"):
        return digits[:6]
    if not digits[9:].strip("0"):
        return digits[:9]
    return digits


def apply_events(
    session: Session, shipment: Shipment, events: list[Event], *, source: str = "push"
) -> int:
    """Store the events not seen yet and move the parcel on; returns how many were new."""
    if shipment.status == ShipmentStatus.VOIDED:
        return 0
    seen = set(
        session.execute(
            sa.select(TrackingEvent.at, TrackingEvent.status, TrackingEvent.fingerprint).where(
                TrackingEvent.shipment_id == shipment.id
            )
        ).tuples()
    )
    new = []
    for event in sorted(events, key=lambda e: e.at):
        key = (event.at, event.status, event.fingerprint)
        if key in seen:
            continue
        seen.add(key)
        new.append(event)
    if not new:
        return 0
    now = clock.now()
    session.add_all(
        TrackingEvent(
            shipment_id=shipment.id,
            at=event.at,
            status=event.status,
            carrier_state=event.carrier_state[:10],
            description=event.description[:300],
            location=event.location[:120],
            region_code=event.region_code,
            fingerprint=event.fingerprint,
            source=source,
            recorded_at=now,
        )
        for event in new
    )
    for event in new:
        _derive(shipment, event)
    latest = max(new, key=lambda e: e.at)
    if shipment.last_event_at is None or latest.at >= shipment.last_event_at:
        shipment.last_event_at = latest.at
        shipment.status = STATUS_OF_SHIPMENT[latest.status]
    if shipment.delivered_at is not None:
        shipment.status = ShipmentStatus.DELIVERED
    session.flush()
    _move_orders(session, shipment)
    _resolve_flags(session, shipment)
    return len(new)


def _derive(shipment: Shipment, event: Event) -> None:
    if event.status != TrackingStatus.PROBLEM and shipment.collected_at is None:
        shipment.collected_at = event.at
        fo = shipment.fulfillment_order
        shipment.promised_at = event.at + timedelta(days=fo.promised_days if fo else 3)
    if (
        shipment.out_of_county_at is None
        and event.region_code
        and event.region_code[:6] != shipment.origin_county_code
    ):
        shipment.out_of_county_at = event.at
    if event.status == TrackingStatus.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = event.at
    match = PICKUP_CODE.search(event.description)
    if match and (
        STATION.search(event.description)
        or event.status in (TrackingStatus.DELIVERED, TrackingStatus.OUT_FOR_DELIVERY)
    ):
        shipment.pickup_code = match.group(1)


def _move_orders(session: Session, shipment: Shipment) -> None:
    fo = shipment.fulfillment_order
    if shipment.collected_at is not None and fo.status in (
        FulfillmentStatus.OPEN,
        FulfillmentStatus.IN_PROGRESS,
    ):
        fo.status = FulfillmentStatus.SHIPPED
        fo.shipped_at = shipment.collected_at
        session.flush()
    sub = session.get(SubOrder, shipment.sub_order_id)
    if sub is None:
        return
    fos = list(
        session.scalars(
            sa.select(FulfillmentOrder).where(
                FulfillmentOrder.sub_order_id == sub.id,
                FulfillmentOrder.status != FulfillmentStatus.CANCELLED,
            )
        )
    )
    try:
        if sub.status == OrderStatus.ROUTED and all(
            f.status == FulfillmentStatus.SHIPPED for f in fos
        ):
            shipments = list(
                session.scalars(
                    sa.select(Shipment)
                    .where(
                        Shipment.sub_order_id == sub.id,
                        Shipment.status != ShipmentStatus.VOIDED,
                        Shipment.waybill_number.is_not(None),
                    )
                    .order_by(Shipment.id)
                )
            )
            carriers = "、".join(dict.fromkeys(s.carrier.name for s in shipments))
            numbers = " ".join(s.waybill_number or "" for s in shipments)
            lifecycle.mark_shipped(
                session, None, sub.id, carrier_name=carriers, waybill_number=numbers[:40]
            )
        if sub.status == OrderStatus.SHIPPED:
            delivered = session.scalar(
                sa.select(sa.func.count())
                .select_from(Shipment)
                .where(
                    Shipment.sub_order_id == sub.id,
                    Shipment.status != ShipmentStatus.VOIDED,
                    Shipment.delivered_at.is_(None),
                )
            )
            if not delivered:
                lifecycle.mark_delivered(session, None, sub.id, message=shipment.pickup_code or "")
    except (AfterSalesInvalid, InvalidTransition) as exc:
        # e.g. a line without its batch: the parcel moves, the sub-order waits for a person
        log.warning("sub-order %s not moved by tracking: %s", sub.id, exc.code)


def _resolve_flags(session: Session, shipment: Shipment) -> None:
    clear = []
    if shipment.out_of_county_at is not None or shipment.delivered_at is not None:
        clear.append(SlaKind.NOT_OUT_OF_COUNTY)
    clear.append(SlaKind.SILENT)  # an event just arrived
    if shipment.delivered_at is not None:
        clear.append(SlaKind.COLD_LATE)
    session.execute(
        sa.update(SlaFlag)
        .where(
            SlaFlag.shipment_id == shipment.id,
            SlaFlag.kind.in_(clear),
            SlaFlag.resolved_at.is_(None),
        )
        .values(resolved_at=clock.now())
        .execution_options(synchronize_session=False)
    )
