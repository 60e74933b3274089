"""The routing engine: plain functions choosing warehouse(s) and a carrier service for a
sub-order by ranked, operator-configurable rules.

``load_facts`` reads everything a decision needs in a fixed number of queries (whatever the
number of warehouses, carriers and rates); ``decide`` is pure Python over those facts and
returns the chosen parcels with the reasons for them and every alternative it turned down.

Rules (``RoutingRule``, ranked by operators):

- hard — a candidate failing one is rejected, with the rule and the detail recorded:
  ``stock`` (the units are there, counting what this sub-order already holds), ``storage``
  (chilled / frozen goods only from a warehouse that can keep them and with a cold-chain
  service that is cold enough), ``coverage`` (the carrier reaches the destination: a village
  needs coverage down to villages, 快递进村, and a service that goes there; a zone without a
  rate is not served), ``capacity`` (parcels left today under the warehouse's daily capacity,
  counted on the day the parcel leaves: after the cut-off time, tomorrow);
- soft — plans that pass are ordered by them, in rank order: ``fewest_splits`` (fewer parcels),
  ``nearest`` (the products' origin county first, then by how close the warehouse is to the
  destination: same county, city, province, elsewhere; then by distance from the products'
  origin where both have coordinates), ``promised_days``, ``cost``.

Batches are allocated earliest-expiry first (harvest or production date + shelf life).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from catalog.models.reference import StorageClass
from fulfillment.models import COLD_ORDER
from fulfillment.routing.facts import (
    Facts,
    LineFact,
    RateFact,
    ServiceFact,
    StockFact,
    WarehouseFact,
)
from fulfillment.routing.models import (
    HARD_RULES,
    RuleCode,
    ServiceKind,
    Zone,
)
from yipin import clock

# ----------------------------------------------------------------------------- the decision


@dataclass
class Take:
    line_id: int
    stock_id: int
    variant_id: int
    quantity: int
    batch_id: int | None = None


@dataclass
class ParcelPlan:
    warehouse: WarehouseFact
    takes: list[Take]
    storage: StorageClass
    weight_g: int
    service: ServiceFact | None = None
    zone: Zone | None = None
    cost_fen: int = 0
    promised_days: int = 0
    routed_on: str = ""
    via_hub: tuple[int, str, str] | None = None  # the county centre consolidating it (统仓共配)


@dataclass
class Decision:
    outcome: str  # routed | unroutable
    parcels: list[ParcelPlan]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)


def note(rule: RuleCode | str, code: str, **params: Any) -> dict[str, Any]:
    """A reason or a rejection, stored as data and worded when shown (``messages.py``)."""
    return {"rule": str(rule), "code": code, "params": params}


def _enabled(facts: Facts, rule: RuleCode) -> bool:
    return any(code == rule and on for code, on in facts.rules)


def zone_of(facts: Facts, origin: str) -> Zone:
    destination = facts.destination
    if origin[:4] == destination[:4]:
        return Zone.SAME_CITY
    if origin[:2] == destination[:2]:
        return Zone.SAME_PROVINCE
    return facts.zones.get((origin[:2], destination[:2]), Zone.FAR)


def _leaves_on(facts: Facts, warehouse: WarehouseFact) -> str:
    local = clock.to_local(facts.now)
    day = facts.today
    if local.strftime("%H:%M") >= warehouse.cutoff:
        day = day + timedelta(days=1)
    return day.isoformat()


def capacity_left(facts: Facts, warehouse: WarehouseFact) -> int | None:
    if warehouse.capacity is None:
        return None
    return warehouse.capacity - facts.load.get((warehouse.id, _leaves_on(facts, warehouse)), 0)


def covers(facts: Facts, service: ServiceFact) -> tuple[bool, str]:
    """Does the service's carrier reach the destination? (and which detail code if not)"""
    rows = facts.coverage.get(service.carrier_id, [])
    if not rows:
        return False, "not_covered"
    if len(facts.destination) >= 12:
        if not service.reaches_villages:
            return False, "service_not_to_villages"
        if not any(villages and facts.destination.startswith(code) for code, villages in rows):
            return False, "village_not_covered"
    return True, ""


def _coldest(storages: list[StorageClass]) -> StorageClass:
    return max(storages, key=lambda s: COLD_ORDER[s], default=StorageClass.AMBIENT)


def _distance_km(a: WarehouseFact, b: tuple[float, float] | None) -> float:
    if b is None or a.latitude is None or a.longitude is None:
        return 0.0
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(h))


def _closeness(region: str, destination: str) -> int:
    for level, n in ((0, 6), (1, 4), (2, 2)):
        if region[:n] == destination[:n]:
            return level
    return 3


def decide(facts: Facts) -> Decision:
    """Choose the parcels (warehouse + lines + service) of the sub-order, with reasons."""
    rules = [{"rule": str(code), "enabled": on} for code, on in facts.rules]
    rejected: list[dict[str, Any]] = []
    lines = [line for line in facts.lines if line.quantity > 0]
    if not lines:
        return Decision("unroutable", [], [note("stock", "nothing_to_send")], [], rules)

    # 1. warehouses that may send: storage and capacity (hard rules)
    usable: dict[int, WarehouseFact] = {}
    for warehouse in sorted(facts.warehouses.values(), key=lambda w: w.id):
        too_cold = [line for line in lines if COLD_ORDER[line.storage] > COLD_ORDER[warehouse.cold]]
        wants = {line.variant_id for line in lines}
        has = {s.variant_id for s in facts.stock if s.warehouse_id == warehouse.id}
        if _enabled(facts, RuleCode.CAPACITY):
            left = capacity_left(facts, warehouse)
            if left is not None and left <= 0:
                rejected.append(
                    note(
                        RuleCode.CAPACITY,
                        "warehouse_full",
                        warehouse=warehouse.code,
                        capacity=warehouse.capacity,
                    )
                )
                continue
        if _enabled(facts, RuleCode.STORAGE) and too_cold and has & wants:
            # it may still send the lines it can keep; a line too cold for it never goes there
            rejected.append(
                note(
                    RuleCode.STORAGE,
                    "warehouse_too_warm",
                    warehouse=warehouse.code,
                    keeps=str(warehouse.cold),
                    needs=str(_coldest([line.storage for line in too_cold])),
                    products=[line.product_name for line in too_cold],
                )
            )
        usable[warehouse.id] = warehouse

    def may_keep(warehouse: WarehouseFact, line: LineFact) -> bool:
        return not _enabled(facts, RuleCode.STORAGE) or (
            COLD_ORDER[line.storage] <= COLD_ORDER[warehouse.cold]
        )

    free: dict[tuple[int, int], list[StockFact]] = defaultdict(list)  # (warehouse, variant)
    for row in facts.stock:
        if row.warehouse_id in usable and row.free > 0:
            free[(row.warehouse_id, row.variant_id)].append(row)

    def units(warehouse_id: int, variant_id: int) -> int:
        return sum(r.free for r in free.get((warehouse_id, variant_id), []))

    # 2. candidate plans: each warehouse alone, then splits (greedy from each warehouse)
    plans: list[dict[int, list[tuple[LineFact, int]]]] = []
    for warehouse in usable.values():
        if all(
            may_keep(warehouse, line) and units(warehouse.id, line.variant_id) >= line.quantity
            for line in lines
        ):
            plans.append({warehouse.id: [(line, line.quantity) for line in lines]})
        else:
            missing = [
                line.product_name
                for line in lines
                if not may_keep(warehouse, line)
                or units(warehouse.id, line.variant_id) < line.quantity
            ]
            if _enabled(facts, RuleCode.STOCK):
                rejected.append(
                    note(
                        RuleCode.STOCK,
                        "not_all_in_stock",
                        warehouse=warehouse.code,
                        products=missing,
                    )
                )
    for first in usable.values():
        plan = _greedy(facts, lines, usable, first, units, may_keep)
        if plan is not None and len(plan) > 1 and plan not in plans:
            plans.append(plan)
    if not plans:
        short = [
            line.product_name
            for line in lines
            if sum(units(w, line.variant_id) for w in usable if may_keep(usable[w], line))
            < line.quantity
        ]
        return Decision(
            "unroutable",
            [],
            [note(RuleCode.STOCK, "out_of_stock", products=short)],
            rejected,
            rules,
        )

    # 3. a service for each parcel of each plan (storage, coverage: hard; then days, cost)
    scored: list[tuple[tuple[Any, ...], list[ParcelPlan]]] = []
    for plan in plans:
        parcels: list[ParcelPlan] = []
        failed = False
        for warehouse_id, taken in plan.items():
            warehouse = usable[warehouse_id]
            parcel = _parcel(facts, warehouse, taken, free)
            service, service_notes = _choose_service(facts, parcel)
            rejected.extend(service_notes)
            if service is None:
                failed = True
                break
            parcels.append(parcel)
        if failed:
            continue
        scored.append((_score(facts, parcels, lines), parcels))
    if not scored:
        return Decision(
            "unroutable",
            [],
            [note(RuleCode.COVERAGE, "no_service", destination=facts.destination)],
            _dedupe(rejected),
            rules,
        )
    scored.sort(key=lambda item: item[0])
    best_score, best = scored[0]
    for score, parcels in scored[1:]:
        rule = _deciding_rule(facts, best_score, score)
        rejected.append(
            note(
                rule,
                "plan_ranked_lower",
                warehouses=[p.warehouse.code for p in parcels],
                services=[p.service.code for p in parcels if p.service],
                parcels=len(parcels),
                cost_fen=sum(p.cost_fen for p in parcels),
                days=max(p.promised_days for p in parcels),
            )
        )
    _allocate_batches(facts, best)
    for parcel in best:
        hub = facts.hubs.get(parcel.warehouse.region_code[:6])
        if hub is not None and hub[0] != parcel.warehouse.id and parcel.warehouse.supplier_id:
            parcel.via_hub = hub
    return Decision("routed", best, _reasons(facts, best, len(scored)), _dedupe(rejected), rules)


def _greedy(
    facts: Facts,
    lines: list[LineFact],
    usable: dict[int, WarehouseFact],
    first: WarehouseFact,
    units: Any,
    may_keep: Any,
) -> dict[int, list[tuple[LineFact, int]]] | None:
    """A split plan: ``first`` sends what it can, the fullest others the rest."""
    left = {line.line_id: line.quantity for line in lines}
    plan: dict[int, list[tuple[LineFact, int]]] = defaultdict(list)
    order = [
        first,
        *sorted(
            (w for w in usable.values() if w.id != first.id),
            key=lambda w: (
                -sum(min(units(w.id, ln.variant_id), ln.quantity) for ln in lines),
                w.id,
            ),
        ),
    ]
    for warehouse in order:
        for line in lines:
            if not left[line.line_id] or not may_keep(warehouse, line):
                continue
            take = min(left[line.line_id], units(warehouse.id, line.variant_id))
            if take > 0:
                plan[warehouse.id].append((line, take))
                left[line.line_id] -= take
    if any(left.values()):
        return None
    return dict(plan)


def _parcel(
    facts: Facts,
    warehouse: WarehouseFact,
    taken: list[tuple[LineFact, int]],
    free: dict[tuple[int, int], list[StockFact]],
) -> ParcelPlan:
    takes: list[Take] = []
    for line, quantity in taken:
        rows = sorted(
            free.get((warehouse.id, line.variant_id), []),
            key=lambda r: (
                -facts.held.get(line.line_id, {}).get(r.stock_id, 0),
                -r.free,
                r.stock_id,
            ),
        )
        need = quantity
        for row in rows:
            take = min(need, row.free)
            if take > 0:
                takes.append(Take(line.line_id, row.stock_id, line.variant_id, take))
                need -= take
            if not need:
                break
    weight = sum(line.unit_weight_g * quantity for line, quantity in taken)
    return ParcelPlan(
        warehouse=warehouse,
        takes=takes,
        storage=_coldest([line.storage for line, _ in taken]),
        weight_g=weight,
        routed_on=_leaves_on(facts, warehouse),
    )


def _choose_service(facts: Facts, parcel: ParcelPlan) -> tuple[ServiceFact | None, list[Any]]:
    notes: list[dict[str, Any]] = []
    zone = zone_of(facts, parcel.warehouse.region_code)
    cold = parcel.storage != StorageClass.AMBIENT
    village = len(facts.destination) >= 12
    options: list[tuple[tuple[Any, ...], ServiceFact, RateFact]] = []
    for service in facts.services:
        if (
            _enabled(facts, RuleCode.STORAGE)
            and cold
            and (
                service.kind != ServiceKind.COLD_CHAIN
                or COLD_ORDER[service.cold_class] < COLD_ORDER[parcel.storage]
            )
        ):
            notes.append(
                note(
                    RuleCode.STORAGE,
                    "service_not_cold",
                    service=service.code,
                    needs=str(parcel.storage),
                    warehouse=parcel.warehouse.code,
                )
            )
            continue
        rate = service.rates.get(zone)
        if rate is None:
            notes.append(
                note(RuleCode.COVERAGE, "no_rate_to_zone", service=service.code, zone=str(zone))
            )
            continue
        if _enabled(facts, RuleCode.COVERAGE):
            ok, why = covers(facts, service)
            if not ok:
                notes.append(
                    note(
                        RuleCode.COVERAGE, why, service=service.code, destination=facts.destination
                    )
                )
                continue
        cost = rate.cost(parcel.weight_g, cold=cold, village=village)
        key: list[Any] = []
        for code, on in facts.rules:
            if not on:
                continue
            if code == RuleCode.PROMISED_DAYS:
                key.append(rate.promised_days)
            elif code == RuleCode.COST:
                key.append(cost)
        key.append(service.id)
        options.append((tuple(key), service, rate))
    if not options:
        return None, notes
    options.sort(key=lambda o: o[0])
    _, service, rate = options[0]
    parcel.service = service
    parcel.zone = zone
    parcel.cost_fen = rate.cost(parcel.weight_g, cold=cold, village=village)
    parcel.promised_days = rate.promised_days
    for _key, other, other_rate in options[1:4]:
        notes.append(
            note(
                RuleCode.COST
                if other_rate.promised_days == rate.promised_days
                else RuleCode.PROMISED_DAYS,
                "service_ranked_lower",
                service=other.code,
                warehouse=parcel.warehouse.code,
                cost_fen=other_rate.cost(parcel.weight_g, cold=cold, village=village),
                days=other_rate.promised_days,
            )
        )
    return service, notes


def _origin_point(facts: Facts) -> tuple[float, float] | None:
    """Coordinates of a warehouse in the products' origin county, if one has them."""
    origins = {line.origin_region_code[:6] for line in facts.lines}
    for warehouse in facts.warehouses.values():
        if warehouse.region_code[:6] in origins and warehouse.latitude is not None:
            return (warehouse.latitude, warehouse.longitude or 0.0)
    return None


def _score(facts: Facts, parcels: list[ParcelPlan], lines: list[LineFact]) -> tuple[Any, ...]:
    origins = {line.origin_region_code[:6] for line in lines}
    point = _origin_point(facts)
    key: list[Any] = []
    for code, on in facts.rules:
        if not on or code in HARD_RULES:
            continue
        if code == RuleCode.FEWEST_SPLITS:
            key.append(len(parcels))
        elif code == RuleCode.NEAREST:
            key.append(
                (
                    sum(0 if p.warehouse.region_code[:6] in origins else 1 for p in parcels),
                    sum(_closeness(p.warehouse.region_code, facts.destination) for p in parcels),
                    round(sum(_distance_km(p.warehouse, point) for p in parcels)),
                )
            )
        elif code == RuleCode.PROMISED_DAYS:
            key.append(max(p.promised_days for p in parcels))
        elif code == RuleCode.COST:
            key.append(sum(p.cost_fen for p in parcels))
    key.append(tuple(sorted(p.warehouse.id for p in parcels)))
    return tuple(key)


def _deciding_rule(facts: Facts, best: tuple[Any, ...], other: tuple[Any, ...]) -> str:
    soft = [code for code, on in facts.rules if on and code not in HARD_RULES]
    for index, code in enumerate(soft):
        if best[index] != other[index]:
            return str(code)
    return "tie"


def _allocate_batches(facts: Facts, parcels: list[ParcelPlan]) -> None:
    """Earliest expiry first: each take gets a batch with units left (split if it must)."""
    left = {b.id: b.left for found in facts.batches.values() for b in found}
    for parcel in parcels:
        out: list[Take] = []
        for take in parcel.takes:
            need = take.quantity
            for batch in facts.batches.get(take.variant_id, []):
                if need == 0:
                    break
                use = min(need, left[batch.id])
                if use <= 0:
                    continue
                left[batch.id] -= use
                out.append(Take(take.line_id, take.stock_id, take.variant_id, use, batch.id))
                need -= use
            if need:
                out.append(Take(take.line_id, take.stock_id, take.variant_id, need, None))
        parcel.takes = out


def _reasons(facts: Facts, parcels: list[ParcelPlan], plans: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for parcel in parcels:
        service = parcel.service
        assert service is not None
        out.append(
            note(
                RuleCode.STOCK,
                "in_stock",
                warehouse=parcel.warehouse.code,
                units=sum(t.quantity for t in parcel.takes),
            )
        )
        out.append(
            note(
                RuleCode.STORAGE,
                "storage_ok",
                warehouse=parcel.warehouse.code,
                storage=str(parcel.storage),
                service=service.code,
            )
        )
        out.append(
            note(RuleCode.COVERAGE, "covered", service=service.code, destination=facts.destination)
        )
        left = capacity_left(facts, parcel.warehouse)
        out.append(
            note(
                RuleCode.CAPACITY,
                "capacity_left" if left is not None else "no_capacity_limit",
                warehouse=parcel.warehouse.code,
                left=left,
                day=parcel.routed_on,
            )
        )
        out.append(
            note(
                RuleCode.PROMISED_DAYS,
                "promised",
                service=service.code,
                days=parcel.promised_days,
                zone=str(parcel.zone),
            )
        )
        out.append(note(RuleCode.COST, "cost", service=service.code, cost_fen=parcel.cost_fen))
        if parcel.via_hub is not None:
            out.append(
                note(
                    RuleCode.NEAREST,
                    "consolidated",
                    warehouse=parcel.warehouse.code,
                    hub=parcel.via_hub[1],
                )
            )
    out.append(note(RuleCode.FEWEST_SPLITS, "parcels", parcels=len(parcels), plans=plans))
    return out


def _dedupe(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for item in notes:
        key = repr(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:200]
