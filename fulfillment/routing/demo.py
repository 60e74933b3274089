"""The demo's parcels through fulfillment (``flask seed demo``): the orders seed replays a year
of orders and calls these for each supplier's parcel, with the clock stopped at the moment
things happen, so the fulfillment board, the county 24 h figures and the tracking timelines
rest on the same records a running platform writes.

- ``route`` — the routing job's work when the sub-order is paid: ``actions.route_sub_order``
  (the engine's decision, fulfillment orders, held units moved, batches recorded); then the
  booking job's: a manual carrier books nothing, its waybill waits for its number
  (``waybills.new_shipment``, ``waybills.record_booking``).
- ``cancelled`` — the ``orders.suborder_cancelled`` handler's work: parcels cancelled and their
  waybills voided (``waybills.cancel_for_sub_order``).
- ``ship`` — the supplier enters the waybill numbers (``waybills.enter_waybill``, manual
  carriers: the embedded default) and hands the parcels over (``waybills.hand_over``); the
  carriers' scans then arrive (``tracking.apply_events``) up to now: departure, the sorting
  centre (the first scan out of the county; about one parcel in nine takes more than 24 h,
  and the SLA monitor flags it meanwhile), arrival in the destination's city, now and then a
  failed delivery attempt, out for delivery, delivered (at a pickup point: with its 取件码).
  Tracking moves the sub-order to shipped and delivered (``orders.lifecycle``).
- ``finish`` — the SLA monitor's round at the end (``sla.run``): what is late now stays on
  the board.

The outbox entries these write (book, subscribe, void) are the orders seed's to settle: the
work they stand for is done here, at the time it happened. Randomness comes from the seed the
caller passes for each parcel, so the orders seed's own draws stay where they were.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fulfillment.models import PickupPoint, Warehouse
from fulfillment.routing import sla, waybills
from fulfillment.routing.actions import route_sub_order
from fulfillment.routing.models import (
    AdapterKind,
    FulfillmentOrder,
    FulfillmentStatus,
    Shipment,
    ShipmentStatus,
    TrackingStatus,
)
from fulfillment.routing.network import pattern_matches, platform_region
from fulfillment.routing.tracking import Event, apply_events
from orders import lifecycle
from orders.models import Order, SubOrder
from yipin import clock
from yipin.accounts.models import User
from yipin.regions.models import Region

ROUTED_AFTER = timedelta(minutes=2)  # the routing job runs right after the payment
BOOKED_AFTER = timedelta(minutes=3)  # and the booking job right after it
MONITOR_EVERY = timedelta(minutes=15)  # the SLA monitor's round (FULFILLMENT_SLA_EVERY_SECONDS)
LATE_SHARE = 0.11  # parcels not out of their county within 24 h
PROBLEM_SHARE = 0.05  # a failed delivery attempt before the parcel is delivered
# the shape of each carrier's waybill numbers (their patterns: data/carrier_facts.md)
NUMBERS = {
    "shunfeng": ("SF1", 12),
    "jd": ("JDVA", 11),
    "youzhengguonei": ("9", 12),
    "ems": ("1", 12),
    "zhongtong": ("75", 12),
    "yuantong": ("YT", 13),
    "yunda": ("43", 13),
    "shentong": ("77", 12),
    "jtexpress": ("JT", 13),
}
COURIERS = "王李张刘陈杨黄赵吴周徐孙朱胡郭何林罗钟曾谢廖赖邱"
SIGNED = ("本人", "本人", "家人", "门卫", "前台", "同事")


@dataclass
class Tally:
    routed: int = 0
    unroutable: int = 0
    shipped: int = 0
    delivered: int = 0
    late: int = 0
    cancelled: int = 0
    numbers: set[tuple[int, str]] = field(default_factory=set)  # (carrier, waybill) given
    sorting: tuple[str, str] | None = None  # the sorting centre's county and name


@dataclass(frozen=True)
class Leg:
    """Where a parcel passes: its county of origin, the carrier's sorting centre for the
    platform's city, the destination's county and city."""

    origin_county: str
    origin_name: str
    sorting_county: str
    sorting_name: str
    destination: str
    destination_name: str
    destination_city: str
    pickup: str | None


def tally(ctx_extra: dict[str, object]) -> Tally:
    """The running counts of this seed run (kept in the seed context's ``extra``)."""
    found = ctx_extra.get("fulfillment.demo")
    if not isinstance(found, Tally):
        found = Tally()
        ctx_extra["fulfillment.demo"] = found
    return found


# ----------------------------------------------------------------------------- routing


def route(session: Session, counts: Tally, sub_order_id: int) -> str | None:
    """Route a paid sub-order at the moment the routing job would have (two minutes after it
    was paid or confirmed): the decision's outcome (``routed``, ``unroutable``), None when
    there was nothing to route."""
    paid_at = session.scalar(sa.select(SubOrder.paid_at).where(SubOrder.id == sub_order_id))
    if paid_at is None:
        return None
    with clock.travel(paid_at + ROUTED_AFTER):
        decision = route_sub_order(session, sub_order_id)
    if decision is None:
        return None
    if decision.outcome != "routed":
        counts.unroutable += 1
        return decision.outcome
    counts.routed += 1
    with clock.travel(paid_at + BOOKED_AFTER):  # the booking job: manual carriers book nothing
        for fo in session.scalars(
            sa.select(FulfillmentOrder)
            .where(FulfillmentOrder.sub_order_id == sub_order_id)
            .order_by(FulfillmentOrder.id)
        ):
            if fo.service.carrier.adapter == AdapterKind.MANUAL and fo.shipment is None:
                waybills.record_booking(session, waybills.new_shipment(session, fo), None)
                session.expire(fo, ["shipments"])  # one session for what were two jobs
    return decision.outcome


def routed_at(session: Session, sub_order_id: int) -> datetime | None:
    return session.scalar(sa.select(SubOrder.routed_at).where(SubOrder.id == sub_order_id))


def cancelled(session: Session, counts: Tally, sub_order_id: int) -> None:
    """The sub-order was cancelled before shipment (clock at that moment)."""
    counts.cancelled += waybills.cancel_for_sub_order(session, sub_order_id)


# ----------------------------------------------------------------------------- shipping


def ship(
    session: Session,
    counts: Tally,
    sub_order_id: int,
    owner: User,
    *,
    batches: dict[int, int],
    collected_at: datetime,
    delivered_at: datetime,
    now: datetime,
    seed: int | str,
) -> bool:
    """The routed parcels of a sub-order leave at ``collected_at`` and arrive at
    ``delivered_at``; only what happened before ``now`` is recorded. ``batches`` (line →
    batch) are the supplier's record for lines the engine found no batch for. False when the
    sub-order has no parcels to send (not routed)."""
    rng = random.Random(seed)
    fos = list(
        session.scalars(
            sa.select(FulfillmentOrder)
            .where(
                FulfillmentOrder.sub_order_id == sub_order_id,
                FulfillmentOrder.status.in_(
                    [FulfillmentStatus.OPEN, FulfillmentStatus.IN_PROGRESS]
                ),
            )
            .order_by(FulfillmentOrder.id)
        )
    )
    if not fos:
        return False
    sub = session.get(SubOrder, sub_order_id)
    assert sub is not None
    missing = {k: v for k, v in batches.items() if k in {x.id for x in sub.lines if not x.batch_id}}
    start = routed_at(session, sub_order_id) or collected_at
    booked_at = max(
        start + timedelta(minutes=5), collected_at - timedelta(hours=rng.uniform(0.5, 4))
    )
    if booked_at > now:
        return True
    with clock.travel(booked_at):
        if missing:  # the supplier records the batch the engine could not name
            lifecycle.record_batches(session, owner, sub_order_id, missing)
        for fo in fos:
            waybills.enter_waybill(session, owner, fo.id, _number(counts, fo, rng))
            session.expire(fo, ["shipments"])  # one session for what were two requests
    if collected_at > now:
        return True
    with clock.travel(collected_at):
        for fo in fos:
            waybills.hand_over(session, owner, fo.id)
    counts.shipped += 1
    for fo in fos:
        shipment = fo.shipment
        assert shipment is not None
        leg = _leg(session, counts, sub, fo.warehouse)
        events = _scans(rng, shipment, fo.warehouse.name, leg, collected_at, delivered_at)
        _deliver(session, counts, shipment, leg, events, collected_at, now)
    return True


def _number(counts: Tally, fo: FulfillmentOrder, rng: random.Random) -> str:
    """A waybill number shaped like the carrier's own, unique in the demo."""
    carrier = fo.service.carrier
    prefix, digits = NUMBERS.get(carrier.code, ("", 12))
    for _ in range(20):
        number = prefix + "".join(str(rng.randrange(10)) for _ in range(digits))
        if (carrier.id, number) not in counts.numbers and pattern_matches(
            carrier.waybill_pattern, number
        ):
            counts.numbers.add((carrier.id, number))
            return number
    raise ValueError(f"no demo waybill number fits {carrier.code}: {carrier.waybill_pattern}")


def _name(session: Session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region is not None else code


def _sorting_centre(session: Session, counts: Tally) -> tuple[str, str]:
    """The carriers' sorting centre of the platform's city: in the county of the platform's
    consolidating hub (统仓共配), named after the city."""
    if counts.sorting is None:
        region = platform_region()
        hub = session.scalar(
            sa.select(Warehouse.region_code)
            .where(Warehouse.consolidates.is_(True), Warehouse.region_code.startswith(region))
            .order_by(Warehouse.id)
        )
        city = _name(session, region[:4]).removesuffix("市")
        counts.sorting = ((hub or "")[:6], f"{city}转运中心")
    return counts.sorting


def _leg(session: Session, counts: Tally, sub: SubOrder, warehouse: Warehouse) -> Leg:
    order = session.get(Order, sub.order_id)
    assert order is not None
    destination = order.region_code
    pickup = None
    if order.pickup_point_id is not None:
        point = session.get(PickupPoint, order.pickup_point_id)
        pickup = point.name if point is not None else None
    city_code = destination[:4]
    city = _name(session, city_code) if session.get(Region, city_code) else ""
    sorting_county, sorting_name = _sorting_centre(session, counts)
    return Leg(
        origin_county=warehouse.region_code[:6],
        origin_name=_name(session, warehouse.region_code[:6]),
        sorting_county=sorting_county,
        sorting_name=sorting_name,
        destination=destination,
        destination_name=_name(session, destination[:6]),
        destination_city=(city or _name(session, destination[:6])).removesuffix("市"),
        pickup=pickup,
    )


def _scans(
    rng: random.Random,
    shipment: Shipment,
    warehouse_name: str,
    leg: Leg,
    collected: datetime,
    delivered: datetime,
) -> list[Event]:
    """The carrier's scans after the hand-over, in time order, ending with the delivery."""
    carrier = shipment.carrier.name
    local = leg.destination[:6] == leg.origin_county
    out: list[Event] = []
    span = (delivered - collected).total_seconds() / 3600

    def at(hours: float) -> datetime:
        return collected + timedelta(hours=hours)

    left = rng.uniform(1, 4)  # every parcel spends a day or more on the way (span ≥ 24 h)
    out.append(
        Event(
            at(left),
            TrackingStatus.IN_TRANSIT,
            "0",
            f"【{leg.origin_name}】快件已从{warehouse_name}发出，下一站【{leg.sorting_name}】"
            if not local
            else f"【{leg.origin_name}】快件已从{warehouse_name}发出，本县派送",
            leg.origin_name,
            leg.origin_county,
        )
    )
    if not local:
        late = rng.random() < LATE_SHARE
        hours = rng.uniform(25, 44) if late else rng.uniform(left + 2, max(left + 3, 20))
        hours = min(hours, span - 8)
        outside = leg.sorting_county and leg.sorting_county != leg.origin_county
        county = leg.sorting_county if outside else leg.destination[:6]
        place = leg.sorting_name if outside else f"{leg.destination_city}转运中心"
        out.append(
            Event(
                at(hours),
                TrackingStatus.IN_TRANSIT,
                "0",
                f"快件已到达【{carrier}{place}】",
                place,
                county,
            )
        )
        out.append(
            Event(
                at(hours + rng.uniform(1, 3)),
                TrackingStatus.IN_TRANSIT,
                "0",
                f"快件已从【{place}】发出，下一站【{leg.destination_city}】",
                place,
                county,
            )
        )
    last = (out[-1].at - collected).total_seconds() / 3600
    arrive = max(last + 1, span - rng.uniform(10, 26))
    while arrive - last > 30:  # a long way: the trunk line's scans on the road
        last += rng.uniform(14, 26)
        out.append(
            Event(
                at(last),
                TrackingStatus.IN_TRANSIT,
                "0",
                f"快件正在运输途中，下一站【{leg.destination_city}】",
            )
        )
    if not local and arrive < span - 2:
        place = f"{leg.destination_city}转运中心"
        out.append(
            Event(
                at(arrive),
                TrackingStatus.IN_TRANSIT,
                "0",
                f"快件已到达【{carrier}{place}】",
                place,
                leg.destination[:6],
            )
        )
        last = arrive
    courier = f"{rng.choice(COURIERS)}师傅（1{rng.randint(30, 99)}{rng.randint(10**7, 10**8 - 1)}）"
    if rng.random() < PROBLEM_SHARE and span - last > 22:
        out.append(
            Event(
                at(span - rng.uniform(16, 21)),
                TrackingStatus.PROBLEM,
                "2",
                f"【{leg.destination_name}】派送不成功：收件人电话无人接听，已约定明日再派",
                leg.destination_name,
                leg.destination[:6],
            )
        )
        last = (out[-1].at - collected).total_seconds() / 3600
    dispatch = max(last + 0.5, span - rng.uniform(1, 4))
    out.append(
        Event(
            at(dispatch),
            TrackingStatus.OUT_FOR_DELIVERY,
            "5",
            f"【{leg.destination_name}】快递员 {courier} 正在为您派件",
            leg.destination_name,
            leg.destination[:6],
        )
    )
    if leg.pickup:
        code = f"{rng.randint(1, 30)}-{rng.randint(1, 6)}-{rng.randint(1000, 9999)}"
        words = f"快件已放入【{leg.pickup}】，取件码：{code}，请凭取件码领取"
    else:
        words = f"已签收，签收人：{rng.choice(SIGNED)}。感谢使用{carrier}"
    out.append(
        Event(
            delivered, TrackingStatus.DELIVERED, "3", words, leg.destination_name, leg.destination
        )
    )
    return out


def _deliver(
    session: Session,
    counts: Tally,
    shipment: Shipment,
    leg: Leg,
    events: list[Event],
    collected: datetime,
    now: datetime,
) -> None:
    """The carrier's scans up to now, pushed as they come, and the SLA monitor's rounds that
    caught this parcel breaking a service level in between (cleared by the next scans)."""
    due = [e for e in events if e.at <= now]
    if not due:
        return
    rounds = [t for t in _breaches(shipment, leg, events, collected) if t <= now]
    pending: list[Event] = []
    for event in due:
        while rounds and rounds[0] < event.at:
            _push(session, shipment, pending)
            pending = []
            with clock.travel(rounds.pop(0)):
                sla.run(session)
        pending.append(event)
    _push(session, shipment, pending)
    for moment in rounds:
        with clock.travel(moment):
            sla.run(session)
    if shipment.status == ShipmentStatus.DELIVERED:
        counts.delivered += 1
    if shipment.origin_is_rural and leg.destination[:6] != leg.origin_county:
        left = shipment.out_of_county_at
        if (left or now) - collected > sla.OUT_OF_COUNTY_WITHIN:
            counts.late += 1


def _breaches(
    shipment: Shipment, leg: Leg, events: list[Event], collected: datetime
) -> list[datetime]:
    """When the SLA monitor's round would find this parcel breaking a service level: still in
    its county 24 h after collection, silent for 48 h, cold and past its promised time."""
    out = []
    if shipment.origin_is_rural and leg.destination[:6] != leg.origin_county:
        first_out = next(
            (e.at for e in events if e.region_code and e.region_code[:6] != leg.origin_county),
            None,
        )
        if first_out is None or first_out - collected > sla.OUT_OF_COUNTY_WITHIN:
            out.append(collected + sla.OUT_OF_COUNTY_WITHIN + MONITOR_EVERY)
    times = [collected, *(e.at for e in events)]
    for before, after in itertools.pairwise(times):
        if after - before > sla.SILENT_AFTER:
            out.append(before + sla.SILENT_AFTER + MONITOR_EVERY)
    fo = shipment.fulfillment_order
    promised = collected + timedelta(days=fo.promised_days)
    if shipment.is_cold and events and events[-1].at > promised:
        out.append(promised + MONITOR_EVERY)
    return sorted(out)


def _push(session: Session, shipment: Shipment, events: list[Event]) -> None:
    """A carrier's push of the scans since the last one, arriving when the last was made."""
    if events:
        with clock.travel(events[-1].at):
            apply_events(session, shipment, events, source="push")


def finish(session: Session, now: datetime) -> dict[str, int]:
    """The SLA monitor's round at the end of the seeding: what is late now is on the board."""
    with clock.travel(now):
        return sla.run(session)
