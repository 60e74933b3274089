"""Waybills of fulfillment orders: the row written before a carrier is called and the carrier's
answer, manual entry of a number and hand-over (揽收), and voiding when the sub-order is
cancelled before shipment.

Like ``actions``: the acting user and ids in, flush and never commit; voiding a waybill at the
carrier is an outbox entry of the same transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from fulfillment.routing.actions import fulfillment_order_for
from fulfillment.routing.errors import (
    InvalidFulfillmentAction,
    UnknownWaybillPattern,
)
from fulfillment.routing.models import (
    ACTIVE_STATUSES,
    FulfillmentOrder,
    FulfillmentStatus,
    Shipment,
    ShipmentStatus,
)
from fulfillment.routing.network import pattern_matches, platform_region
from yipin import clock, outbox
from yipin.accounts.models import User


def new_shipment(session: Session, fo: FulfillmentOrder) -> Shipment:
    """The waybill row of a booking, written (and committed by the job) before the carrier is
    called: its key goes with every attempt, so the carrier never issues a second number."""
    attempt = len(fo.shipments) + 1
    region = platform_region()
    origin = fo.warehouse.region_code
    shipment = Shipment(
        fulfillment_order_id=fo.id,
        sub_order_id=fo.sub_order_id,
        order_id=fo.order_id,
        supplier_id=fo.supplier_id,
        carrier_id=fo.service.carrier_id,
        service_id=fo.service_id,
        idempotency_key=f"yipin-fo-{fo.id}-{attempt}",
        status=ShipmentStatus.BOOKING,
        storage_class=fo.storage_class,
        origin_region_code=origin,
        origin_county_code=origin[:6],
        origin_is_rural=len(origin) >= 9 and origin.startswith(region),
        destination_region_code=fo.destination_region_code,
    )
    session.add(shipment)
    session.flush()
    return shipment


def record_booking(session: Session, shipment: Shipment, waybill_number: str | None) -> None:
    """The carrier's answer to a booking: its waybill number (booked: the parcel is being
    packed, pushes are subscribed), or none — a manual carrier, whose number a person enters
    (``enter_waybill``)."""
    if waybill_number is None:
        shipment.status = ShipmentStatus.AWAITING_NUMBER
        session.flush()
        return
    shipment.waybill_number = waybill_number
    shipment.status = ShipmentStatus.BOOKED
    shipment.booked_at = clock.now()
    fo = shipment.fulfillment_order
    if fo.status == FulfillmentStatus.OPEN:
        fo.status = FulfillmentStatus.IN_PROGRESS
    session.flush()
    outbox.emit(session, "fulfillment.waybill_booked", {"shipment_id": shipment.id})


def enter_waybill(session: Session, actor: User | None, fo_id: int, number: str) -> Shipment:
    """The supplier or an operator enters the waybill number of a manual carrier; it must
    match the carrier's pattern (``UnknownWaybillPattern`` otherwise)."""
    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    if fo.status not in (FulfillmentStatus.OPEN, FulfillmentStatus.IN_PROGRESS):
        raise InvalidFulfillmentAction(field="status")
    number = "".join((number or "").split()).upper()
    if not pattern_matches(fo.service.carrier.waybill_pattern, number):
        raise UnknownWaybillPattern(field="waybill_number", carrier=fo.service.carrier.name)
    taken = session.scalar(
        sa.select(Shipment.id).where(
            Shipment.carrier_id == fo.service.carrier_id,
            Shipment.waybill_number == number,
            Shipment.status != ShipmentStatus.VOIDED,
        )
    )
    shipment = fo.shipment
    if taken and (shipment is None or taken != shipment.id):
        raise InvalidFulfillmentAction(field="waybill_number")
    if shipment is None or shipment.status not in (
        ShipmentStatus.BOOKING,
        ShipmentStatus.AWAITING_NUMBER,
        ShipmentStatus.BOOKED,
    ):
        shipment = new_shipment(session, fo)
    shipment.waybill_number = number
    shipment.status = ShipmentStatus.BOOKED
    shipment.booked_at = clock.now()
    if fo.status == FulfillmentStatus.OPEN:
        fo.status = FulfillmentStatus.IN_PROGRESS
    session.flush()
    outbox.emit(session, "fulfillment.waybill_booked", {"shipment_id": shipment.id})
    return shipment


def hand_over(session: Session, actor: User | None, fo_id: int) -> Shipment:
    """The parcel was handed to the carrier (揽收) — the manual path's first tracking event."""
    from fulfillment.routing.models import TrackingStatus
    from fulfillment.routing.tracking import Event, apply_events

    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    shipment = fo.shipment
    if shipment is None or shipment.status != ShipmentStatus.BOOKED:
        raise InvalidFulfillmentAction(field="status")
    apply_events(
        session,
        shipment,
        [
            Event(
                at=clock.now(),
                status=TrackingStatus.COLLECTED,
                carrier_state="manual",
                description="已揽收（人工交接）",
                location=fo.warehouse.name,
                region_code=fo.warehouse.region_code,
            )
        ],
        source="manual",
    )
    return shipment


def cancel_for_sub_order(session: Session, sub_order_id: int) -> int:
    """The sub-order was cancelled before shipment: its parcels are cancelled and their
    waybills voided (the orders package released the stock)."""
    fos = list(
        session.scalars(
            sa.select(FulfillmentOrder)
            .where(
                FulfillmentOrder.sub_order_id == sub_order_id,
                FulfillmentOrder.status.in_(ACTIVE_STATUSES),
            )
            .options(selectinload(FulfillmentOrder.shipments))
            .with_for_update(of=FulfillmentOrder)
        )
    )
    now = clock.now()
    for fo in fos:
        shipment = fo.shipment
        if shipment is not None and shipment.status in (
            ShipmentStatus.BOOKING,
            ShipmentStatus.AWAITING_NUMBER,
            ShipmentStatus.BOOKED,
        ):
            shipment.status = ShipmentStatus.VOIDED
            shipment.voided_at = now
            if shipment.waybill_number:
                session.flush()
                outbox.emit(session, "fulfillment.waybill_to_void", {"shipment_id": shipment.id})
        fo.status = FulfillmentStatus.CANCELLED
        fo.cancelled_at = now
    session.flush()
    return len(fos)
