"""Verbs of routing: route a sub-order, the operators' actions on fulfillment orders (hold,
release, move, split, reassign carrier). Waybills (manual entry, hand-over, voiding on
cancellation) are in ``waybills``; the board's reads in ``board``.

Actions take the acting user (``None``: the system, a job) and ids, flush and never commit;
side effects (booking and voiding waybills) are outbox entries written in the same
transaction. The sub-order moves through ``orders.lifecycle``'s verbs only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.models.reference import StorageClass
from fulfillment.errors import OutOfStock
from fulfillment.models import COLD_ORDER, Stock, Warehouse
from fulfillment.routing import engine
from fulfillment.routing.errors import (
    InvalidFulfillmentAction,
)
from fulfillment.routing.facts import Facts, load_facts
from fulfillment.routing.models import (
    ACTIVE_STATUSES,
    CarrierService,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentStatus,
    RoutingDecision,
    RuleCode,
    ServiceKind,
    ShipmentStatus,
)
from orders import lifecycle
from orders.models import Order, SubOrder
from orders.status import OrderStatus
from yipin import clock, outbox
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound

# ----------------------------------------------------------------------------- routing


def route_sub_order(
    session: Session, sub_order_id: int, *, actor: User | None = None
) -> RoutingDecision | None:
    """Route a sub-order awaiting routing: choose, allocate, write the fulfillment orders and
    the decision, move the sub-order to ``routed`` and ask for the waybills. Idempotent: a
    sub-order already routed (or no longer waiting) is left alone and None returned."""
    status = session.scalar(
        sa.select(SubOrder.status).where(SubOrder.id == sub_order_id).with_for_update()
    )
    if status != OrderStatus.AWAITING_ROUTING:
        return None
    live = session.scalar(
        sa.select(sa.func.count())
        .select_from(FulfillmentOrder)
        .where(
            FulfillmentOrder.sub_order_id == sub_order_id,
            FulfillmentOrder.status.in_(ACTIVE_STATUSES),
        )
    )
    if live:
        return None
    facts = load_facts(session, sub_order_id)
    if facts is None:
        return None
    decision = engine.decide(facts)
    record = RoutingDecision(
        sub_order_id=sub_order_id,
        supplier_id=facts.supplier_id,
        outcome=decision.outcome,
        chosen=[_parcel_json(p) for p in decision.parcels],
        reasons=decision.reasons,
        rejected=decision.rejected,
        rules=decision.rules,
        actor_id=actor.id if actor else None,
        at=clock.now(),
    )
    session.add(record)
    session.flush()
    if decision.outcome != "routed":
        return record
    _allocate(session, facts, decision.parcels)
    order_id = session.scalar(sa.select(SubOrder.order_id).where(SubOrder.id == sub_order_id))
    number = session.scalar(sa.select(SubOrder.number).where(SubOrder.id == sub_order_id))
    fos = [
        FulfillmentOrder(
            number=f"{number}-F{index}",
            sub_order_id=sub_order_id,
            order_id=order_id,
            supplier_id=facts.supplier_id,
            warehouse_id=parcel.warehouse.id,
            via_hub_id=parcel.via_hub[0] if parcel.via_hub else None,
            service_id=parcel.service.id if parcel.service else None,
            decision_id=record.id,
            status=FulfillmentStatus.OPEN,
            storage_class=parcel.storage,
            weight_g=parcel.weight_g,
            cost_fen=parcel.cost_fen,
            promised_days=parcel.promised_days,
            destination_region_code=facts.destination,
            routed_on=parcel.routed_on,
        )
        for index, parcel in enumerate(decision.parcels, start=1)
    ]
    session.add_all(fos)
    session.flush()
    session.add_all(
        FulfillmentLine(
            fulfillment_order_id=fo.id,
            order_line_id=take.line_id,
            stock_id=take.stock_id,
            variant_id=take.variant_id,
            batch_id=take.batch_id,
            quantity=take.quantity,
        )
        for fo, parcel in zip(fos, decision.parcels, strict=True)
        for take in parcel.takes
    )
    first_batch: dict[int, int] = {}
    for parcel in decision.parcels:
        for take in parcel.takes:
            if take.batch_id is not None:
                first_batch.setdefault(take.line_id, take.batch_id)
    lifecycle.mark_routed(session, None, sub_order_id, message=_summary(decision.parcels))
    if first_batch:
        lifecycle.record_batches(session, None, sub_order_id, first_batch)
    for fo in fos:
        outbox.emit(session, "fulfillment.waybill_to_book", {"fulfillment_order_id": fo.id})
    session.flush()
    return record


def _summary(parcels: list[engine.ParcelPlan]) -> str:
    return "；".join(
        f"{p.warehouse.name} → {p.service.name if p.service else ''}" for p in parcels
    )[:300]


def _parcel_json(parcel: engine.ParcelPlan) -> dict[str, Any]:
    return {
        "warehouse": parcel.warehouse.code,
        "warehouse_name": parcel.warehouse.name,
        "service": parcel.service.code if parcel.service else None,
        "service_name": parcel.service.name if parcel.service else None,
        "zone": str(parcel.zone) if parcel.zone else None,
        "storage": str(parcel.storage),
        "weight_g": parcel.weight_g,
        "cost_fen": parcel.cost_fen,
        "promised_days": parcel.promised_days,
        "via_hub": parcel.via_hub[1] if parcel.via_hub else None,
        "lines": [
            {
                "line_id": t.line_id,
                "stock_id": t.stock_id,
                "quantity": t.quantity,
                "batch_id": t.batch_id,
            }
            for t in parcel.takes
        ],
    }


def _allocate(session: Session, facts: Facts, parcels: list[engine.ParcelPlan]) -> None:
    """Move the sub-order's held units to the chosen rows where they differ."""
    planned: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for parcel in parcels:
        for take in parcel.takes:
            planned[take.line_id][take.stock_id] += take.quantity
    changed = {
        line_id: sorted(rows.items())
        for line_id, rows in planned.items()
        if dict(rows) != facts.held.get(line_id, {})
    }
    if changed:
        lifecycle.reallocate(session, facts.sub_order_id, changed)


# ----------------------------------------------------------------------------- loading


def fulfillment_order_for(
    session: Session, actor: User | None, fo_id: int, *, lock: bool = False
) -> FulfillmentOrder:
    """A fulfillment order the actor may see: operators any, supplier staff their own
    supplier's (404 otherwise), the system (None) any."""
    stmt = (
        sa.select(FulfillmentOrder)
        .where(FulfillmentOrder.id == fo_id)
        .options(selectinload(FulfillmentOrder.lines), selectinload(FulfillmentOrder.shipments))
    )
    if lock:
        stmt = stmt.with_for_update(of=FulfillmentOrder)
    fo = session.scalars(stmt).one_or_none()
    if fo is None:
        raise NotFound(field="fulfillment_order_id")
    if actor is not None:
        if actor.role == Role.SUPPLIER:
            if fo.supplier_id != actor.supplier_id:
                raise NotFound(field="fulfillment_order_id")
        elif actor.role != Role.OPERATOR:
            raise NotFound(field="fulfillment_order_id")
    return fo


def _operator(actor: User | None) -> None:
    if actor is not None and actor.role != Role.OPERATOR:
        raise Forbidden()


def _move(fo: FulfillmentOrder, target: FulfillmentStatus) -> None:
    if not fo.can_move_to(target):
        raise InvalidFulfillmentAction(field="status")
    fo.status = target


def _record(
    session: Session,
    fo: FulfillmentOrder,
    actor: User | None,
    outcome: str,
    reasons: list[dict[str, Any]],
) -> None:
    session.add(
        RoutingDecision(
            sub_order_id=fo.sub_order_id,
            supplier_id=fo.supplier_id,
            outcome=outcome,
            chosen=[
                {
                    "fulfillment_order": fo.number,
                    "warehouse": fo.warehouse.code if fo.warehouse else None,
                    "service": fo.service.code if fo.service else None,
                }
            ],
            reasons=reasons,
            rejected=[],
            rules=[],
            actor_id=actor.id if actor else None,
            at=clock.now(),
        )
    )


def _void_live_waybill(session: Session, fo: FulfillmentOrder) -> bool:
    """Void the fulfillment order's waybill before collection; True when one was live."""
    shipment = fo.shipment
    if shipment is None:
        return False
    if shipment.status not in (
        ShipmentStatus.BOOKING,
        ShipmentStatus.AWAITING_NUMBER,
        ShipmentStatus.BOOKED,
    ):
        raise InvalidFulfillmentAction(field="status")  # already with the carrier
    number = shipment.waybill_number
    shipment.status = ShipmentStatus.VOIDED
    shipment.voided_at = clock.now()
    if number:
        outbox.emit(session, "fulfillment.waybill_to_void", {"shipment_id": shipment.id})
    return True


def hold(session: Session, actor: User | None, fo_id: int, reason: str = "") -> FulfillmentOrder:
    """Stop a parcel before it leaves (暂停发货): no booking, no packing until released."""
    _operator(actor)
    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    _move(fo, FulfillmentStatus.ON_HOLD)
    fo.hold_reason = " ".join((reason or "").split())[:200]
    _record(session, fo, actor, "held", [engine.note("operator", "held", reason=fo.hold_reason)])
    session.flush()
    return fo


def release(session: Session, actor: User | None, fo_id: int) -> FulfillmentOrder:
    _operator(actor)
    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    _move(fo, FulfillmentStatus.OPEN)
    fo.hold_reason = ""
    _record(session, fo, actor, "released", [engine.note("operator", "released")])
    if fo.shipment is None:
        outbox.emit(session, "fulfillment.waybill_to_book", {"fulfillment_order_id": fo.id})
    elif fo.shipment.status == ShipmentStatus.BOOKED:
        fo.status = FulfillmentStatus.IN_PROGRESS
    session.flush()
    return fo


def _rebook(session: Session, fo: FulfillmentOrder) -> None:
    """After a change of warehouse or carrier: void the old waybill, ask for a new one."""
    _void_live_waybill(session, fo)
    if fo.status == FulfillmentStatus.IN_PROGRESS:
        fo.status = FulfillmentStatus.OPEN
    if fo.status == FulfillmentStatus.OPEN:
        outbox.emit(session, "fulfillment.waybill_to_book", {"fulfillment_order_id": fo.id})


def _check_service(
    session: Session, fo: FulfillmentOrder, service: CarrierService, warehouse_region: str
) -> None:
    storage = StorageClass(fo.storage_class)
    if storage != StorageClass.AMBIENT and (
        service.kind != ServiceKind.COLD_CHAIN
        or COLD_ORDER[StorageClass(service.cold_class)] < COLD_ORDER[storage]
    ):
        raise InvalidFulfillmentAction(field="service_id", rule=str(RuleCode.STORAGE))
    facts = load_facts(session, fo.sub_order_id)
    assert facts is not None
    fact = next((s for s in facts.services if s.id == service.id), None)
    if fact is None:
        raise InvalidFulfillmentAction(field="service_id")
    ok, _why = engine.covers(facts, fact)
    if not ok or engine.zone_of(facts, warehouse_region) not in fact.rates:
        raise InvalidFulfillmentAction(field="service_id", rule=str(RuleCode.COVERAGE))


def move(session: Session, actor: User | None, fo_id: int, warehouse_id: int) -> FulfillmentOrder:
    """Send the parcel from another warehouse (run by the supplier or the platform, able to
    keep the goods, with the units free): the units are held there instead."""
    _operator(actor)
    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    if fo.status not in (
        FulfillmentStatus.OPEN,
        FulfillmentStatus.ON_HOLD,
        FulfillmentStatus.IN_PROGRESS,
    ):
        raise InvalidFulfillmentAction(field="status")
    target = session.get(Warehouse, warehouse_id)
    if (
        target is None
        or not target.is_active
        or (target.supplier_id is not None and target.supplier_id != fo.supplier_id)
    ):
        raise NotFound(field="warehouse_id")
    if target.id == fo.warehouse_id:
        return fo
    if not target.can_keep(StorageClass(fo.storage_class)):
        raise InvalidFulfillmentAction(field="warehouse_id", rule=str(RuleCode.STORAGE))
    rows = {
        s.variant_id: s
        for s in session.scalars(
            sa.select(Stock).where(
                Stock.warehouse_id == target.id,
                Stock.variant_id.in_([line.variant_id for line in fo.lines]),
            )
        )
    }
    allocation = _line_allocation(session, fo)
    for line in fo.lines:
        row = rows.get(line.variant_id)
        if row is None:
            raise OutOfStock(wanted=line.quantity, available=0, field="warehouse_id")
        pairs = allocation[line.order_line_id]
        pairs[line.stock_id] -= line.quantity
        pairs[row.id] = pairs.get(row.id, 0) + line.quantity
        line.stock_id = row.id
    _reallocate(session, fo.sub_order_id, allocation)
    old = fo.warehouse.code
    fo.warehouse_id = target.id
    session.flush()
    session.refresh(fo, ["warehouse"])
    _check_service(session, fo, fo.service, target.region_code)
    _record(
        session,
        fo,
        actor,
        "moved",
        [engine.note("operator", "moved", source=old, target=target.code)],
    )
    _rebook(session, fo)
    session.flush()
    return fo


def _line_allocation(session: Session, fo: FulfillmentOrder) -> dict[int, dict[int, int]]:
    """What every fulfillment order of the sub-order takes, per order line and stock row."""
    out: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in session.scalars(
        sa.select(FulfillmentLine)
        .join(FulfillmentOrder, FulfillmentOrder.id == FulfillmentLine.fulfillment_order_id)
        .where(
            FulfillmentOrder.sub_order_id == fo.sub_order_id,
            FulfillmentOrder.status != FulfillmentStatus.CANCELLED,
        )
    ):
        out[line.order_line_id][line.stock_id] += line.quantity
    return out


def _reallocate(session: Session, sub_order_id: int, allocation: dict[int, dict[int, int]]) -> None:
    lifecycle.reallocate(
        session,
        sub_order_id,
        {
            line: [(s, q) for s, q in sorted(rows.items()) if q > 0]
            for line, rows in allocation.items()
        },
    )


def split(
    session: Session, actor: User | None, fo_id: int, units: dict[int, int]
) -> FulfillmentOrder:
    """Take ``{fulfillment_line_id: units}`` out into a new parcel from the same warehouse
    (move it afterwards to send it from elsewhere). Returns the new fulfillment order."""
    _operator(actor)
    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    if fo.status not in (
        FulfillmentStatus.OPEN,
        FulfillmentStatus.ON_HOLD,
        FulfillmentStatus.IN_PROGRESS,
    ):
        raise InvalidFulfillmentAction(field="status")
    lines = {line.id: line for line in fo.lines}
    units = {k: v for k, v in units.items() if v}
    if not units or any(
        k not in lines or not isinstance(v, int) or not 0 < v <= lines[k].quantity
        for k, v in units.items()
    ):
        raise InvalidFulfillmentAction(field="lines")
    if sum(units.values()) >= sum(line.quantity for line in fo.lines):
        raise InvalidFulfillmentAction(field="lines")  # nothing would stay behind
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(FulfillmentOrder)
        .where(FulfillmentOrder.sub_order_id == fo.sub_order_id)
    )
    weights = _unit_weights(session, [lines[k].order_line_id for k in units])
    new = FulfillmentOrder(
        number=f"{fo.number.rsplit('-F', 1)[0]}-F{(count or 0) + 1}",
        sub_order_id=fo.sub_order_id,
        order_id=fo.order_id,
        supplier_id=fo.supplier_id,
        warehouse_id=fo.warehouse_id,
        service_id=fo.service_id,
        decision_id=fo.decision_id,
        status=FulfillmentStatus.OPEN if fo.status != FulfillmentStatus.ON_HOLD else fo.status,
        storage_class=fo.storage_class,
        weight_g=0,
        cost_fen=0,
        promised_days=fo.promised_days,
        destination_region_code=fo.destination_region_code,
        routed_on=fo.routed_on,
        hold_reason=fo.hold_reason,
    )
    session.add(new)
    session.flush()
    moved_weight = 0
    for line_id, quantity in units.items():
        line = lines[line_id]
        line.quantity -= quantity
        moved_weight += weights.get(line.order_line_id, 0) * quantity
        session.add(
            FulfillmentLine(
                fulfillment_order_id=new.id,
                order_line_id=line.order_line_id,
                stock_id=line.stock_id,
                variant_id=line.variant_id,
                batch_id=line.batch_id,
                quantity=quantity,
            )
        )
        if line.quantity == 0:
            session.delete(line)
    new.weight_g = moved_weight
    fo.weight_g = max(0, fo.weight_g - moved_weight)
    _record(
        session,
        fo,
        actor,
        "split",
        [engine.note("operator", "split", source=fo.number, target=new.number)],
    )
    _rebook(session, fo)
    if new.status == FulfillmentStatus.OPEN:
        session.flush()
        outbox.emit(session, "fulfillment.waybill_to_book", {"fulfillment_order_id": new.id})
    session.flush()
    return new


def _unit_weights(session: Session, line_ids: list[int]) -> dict[int, int]:
    from orders.models import OrderLine

    return dict(
        session.execute(
            sa.select(OrderLine.id, OrderLine.unit_weight_g).where(OrderLine.id.in_(line_ids))
        ).all()
    )


def reassign_carrier(
    session: Session, actor: User | None, fo_id: int, service_id: int
) -> FulfillmentOrder:
    """Send with another carrier service (storage and coverage still checked); the old
    waybill is voided and a new one booked."""
    _operator(actor)
    fo = fulfillment_order_for(session, actor, fo_id, lock=True)
    if fo.status not in ACTIVE_STATUSES:
        raise InvalidFulfillmentAction(field="status")
    service = session.get(CarrierService, service_id)
    if service is None or not service.is_active:
        raise NotFound(field="service_id")
    if service.id == fo.service_id:
        return fo
    _check_service(session, fo, service, fo.warehouse.region_code)
    old = fo.service.code
    fo.service_id = service.id
    session.flush()
    session.refresh(fo, ["service"])
    _record(
        session,
        fo,
        actor,
        "carrier_reassigned",
        [engine.note("operator", "carrier_reassigned", source=old, target=service.code)],
    )
    _rebook(session, fo)
    session.flush()
    return fo


def reroute(session: Session, actor: User | None, sub_order_id: int) -> RoutingDecision | None:
    """Try an unroutable sub-order again (after stock arrived or rules changed)."""
    _operator(actor)
    return route_sub_order(session, sub_order_id, actor=actor)


__all__ = [
    "Order",
    "hold",
    "move",
    "reassign_carrier",
    "release",
    "reroute",
    "route_sub_order",
    "split",
]
