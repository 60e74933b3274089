"""The carrier network as data: carriers, services, zones, rates, coverage and routing rules.

``load_network`` (run by ``flask setup``) adds what is missing from ``fulfillment/data``: the
waybill patterns are read from ``carrier_facts.md`` (a copy of the shared carrier facts, not
retyped), the rest from the CSV files; rows an operator edited are left alone. Coverage of the
platform's townships and villages (快递进村) is derived from the regions loaded: 中国邮政
reaches every village; 顺丰 and 京东 reach the villages of towns (镇) and sub-districts (街道);
the 通达系 carriers (中通, 圆通, 韵达, 申通, 极兔) reach the villages of sub-districts, and of
every township of a county whose county centre consolidates parcels (统仓共配). Operators edit
all of it afterwards (``update_*`` below, the console's 承运商 pages).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from catalog.models.reference import StorageClass
from fulfillment.models import Warehouse, WarehouseKind
from fulfillment.routing.models import (
    DEFAULT_RULES,
    AdapterKind,
    Carrier,
    CarrierCoverage,
    CarrierRate,
    CarrierService,
    RoutingRule,
    RuleCode,
    ServiceKind,
    Zone,
    ZoneRule,
)
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.errors import DomainError, Forbidden, NotFound
from yipin.i18n import _l
from yipin.regions.models import Region, RegionLevel

DATA = Path(__file__).resolve().parents[1] / "data"
TONGDA = ("zhongtong", "yuantong", "yunda", "shentong", "jtexpress")
SERVICE_NAMES = {
    ServiceKind.STANDARD: ("标准快递", "Standard"),
    ServiceKind.EXPRESS: ("特快", "Express"),
    ServiceKind.COLD_CHAIN: ("冷链", "Cold chain"),
}


class InvalidNetwork(DomainError):
    code = "invalid_network"
    message = _l("These carrier details are not valid.")


# ----------------------------------------------------------------------------- waybill patterns


def waybill_patterns(path: Path | None = None) -> dict[str, str]:
    """Aggregator code → one regular expression, from the carrier facts' table (several
    patterns of one carrier are joined as alternatives)."""
    text = (path or DATA / "carrier_facts.md").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("|") or "`^" not in line:
            continue
        cells = line.split("|")
        codes = cells[2].split("/")[0]
        patterns = re.findall(r"`(\^[^`]+\$)`", line)
        joined = "|".join(f"(?:{p})" for p in patterns)
        for code in codes.split(","):
            out[code.strip()] = joined
    return out


def pattern_matches(pattern: str, number: str) -> bool:
    try:
        return re.fullmatch(pattern, number) is not None
    except re.error:
        return False


# ----------------------------------------------------------------------------- loading


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def platform_region() -> str:
    if has_app_context():
        return str(current_app.config.get("PLATFORM_REGION", "3607"))
    return "3607"


def load_network(session: Session) -> dict[str, int]:
    """Carriers, services, rates, zones, coverage and routing rules that are not there yet."""
    counts = {"carriers": 0, "rates": 0, "zones": 0, "coverage": 0, "rules": 0}
    patterns = waybill_patterns()
    carriers = {c.code: c for c in session.scalars(sa.select(Carrier))}
    services = {(s.carrier_id, s.kind): s for s in session.scalars(sa.select(CarrierService))}
    for row in _csv("carriers.csv"):
        carrier = carriers.get(row["code"])
        if carrier is None:
            carrier = Carrier(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                waybill_pattern=patterns.get(row["code"], r"^[0-9A-Z]{8,20}$"),
                adapter=AdapterKind.MANUAL,
            )
            session.add(carrier)
            session.flush()
            carriers[carrier.code] = carrier
            counts["carriers"] += 1
        for kind_name in row["services"].split(";"):
            kind = ServiceKind(kind_name)
            if (carrier.id, kind) in services:
                continue
            zh, en = SERVICE_NAMES[kind]
            service = CarrierService(
                carrier_id=carrier.id,
                code=f"{carrier.code}-{kind.value}",
                name=f"{row['name']}{zh}",
                name_en=f"{row['name_en']} {en}",
                kind=kind,
                cold_class=StorageClass.FROZEN if kind == ServiceKind.COLD_CHAIN else "ambient",
                reaches_villages=kind != ServiceKind.COLD_CHAIN,
            )
            session.add(service)
            services[(carrier.id, kind)] = service
    session.flush()
    have_rates = set(session.execute(sa.select(CarrierRate.service_id, CarrierRate.zone)).tuples())
    for row in _csv("carrier_rates.csv"):
        service = services[(carriers[row["carrier"]].id, ServiceKind(row["kind"]))]
        if (service.id, Zone(row["zone"])) in have_rates:
            continue
        session.add(
            CarrierRate(
                service_id=service.id,
                zone=Zone(row["zone"]),
                first_weight_g=int(row["first_weight_g"]),
                first_fen=int(row["first_fen"]),
                step_weight_g=int(row["step_weight_g"]),
                step_fen=int(row["step_fen"]),
                cold_surcharge_fen=int(row["cold_surcharge_fen"]),
                remote_surcharge_fen=int(row["remote_surcharge_fen"]),
                promised_days=int(row["promised_days"]),
            )
        )
        counts["rates"] += 1
    have_zones = set(
        session.execute(
            sa.select(ZoneRule.origin_province_code, ZoneRule.destination_province_code)
        ).tuples()
    )
    for row in _csv("shipping_zones.csv"):
        key = (row["origin_province_code"], row["destination_province_code"])
        if key in have_zones:
            continue
        session.add(
            ZoneRule(
                origin_province_code=key[0],
                destination_province_code=key[1],
                zone=Zone(row["zone"]),
            )
        )
        counts["zones"] += 1
    counts["coverage"] = _load_coverage(session, carriers)
    have_rules = set(session.scalars(sa.select(RoutingRule.code)))
    for rank, code in enumerate(DEFAULT_RULES, start=1):
        if code not in have_rules:
            session.add(RoutingRule(code=code, rank=rank * 10, enabled=True))
            counts["rules"] += 1
    session.flush()
    return counts


def _load_coverage(session: Session, carriers: dict[str, Carrier]) -> int:
    have = set(
        session.execute(sa.select(CarrierCoverage.carrier_id, CarrierCoverage.region_code)).tuples()
    )
    rows: list[dict[str, Any]] = []

    def add(carrier: Carrier, code: str, villages: bool) -> None:
        if (carrier.id, code) not in have:
            have.add((carrier.id, code))
            rows.append(
                {"carrier_id": carrier.id, "region_code": code, "reaches_villages": villages}
            )

    for row in _csv("carrier_coverage.csv"):
        add(carriers[row["carrier"]], row["region_code"], row["reaches_villages"] == "1")
    region = platform_region()
    townships = session.execute(
        sa.select(Region.code, Region.name).where(
            Region.level == RegionLevel.TOWNSHIP, Region.code.startswith(region)
        )
    ).all()
    consolidating = set(
        session.scalars(
            sa.select(sa.func.substr(Warehouse.region_code, 1, 6)).where(
                Warehouse.consolidates.is_(True), Warehouse.is_active.is_(True)
            )
        )
    )
    for code, name in townships:
        urban = name.endswith("街道")
        town = name.endswith("镇")
        for carrier_code in ("shunfeng", "jd"):
            if (urban or town) and carrier_code in carriers:
                add(carriers[carrier_code], code, True)
        for carrier_code in TONGDA:
            if carrier_code in carriers and (urban or code[:6] in consolidating):
                add(carriers[carrier_code], code, True)
    if rows:
        session.execute(sa.insert(CarrierCoverage), rows)
    return len(rows)


# ----------------------------------------------------------------------------- operators' edits


def _operator(actor: User) -> None:
    if actor.role != Role.OPERATOR:
        raise Forbidden()


RATE_FIELDS = (
    "first_weight_g",
    "first_fen",
    "step_weight_g",
    "step_fen",
    "cold_surcharge_fen",
    "remote_surcharge_fen",
    "promised_days",
)


def update_carrier_rate(
    session: Session, actor: User, rate_id: int, changes: dict[str, Any]
) -> CarrierRate:
    """An operator changes a rate row (whole fen, grams above 0, at least one day)."""
    _operator(actor)
    rate = session.get(CarrierRate, rate_id)
    if rate is None:
        raise NotFound(field="rate_id")
    for name in RATE_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**8:
            raise InvalidNetwork(field=name)
        if name in ("first_weight_g", "step_weight_g", "promised_days") and value == 0:
            raise InvalidNetwork(field=name)
        setattr(rate, name, value)
    rate.updated_by_id = actor.id
    rate.updated_at = clock.now()
    session.flush()
    return rate


def update_carrier(
    session: Session,
    actor: User,
    carrier_id: int,
    *,
    waybill_pattern: str | None = None,
    adapter: str | None = None,
    is_active: bool | None = None,
) -> Carrier:
    _operator(actor)
    carrier = session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound(field="carrier_id")
    if waybill_pattern is not None:
        try:
            re.compile(waybill_pattern)
        except re.error:
            raise InvalidNetwork(field="waybill_pattern") from None
        if not 2 <= len(waybill_pattern) <= 200:
            raise InvalidNetwork(field="waybill_pattern")
        carrier.waybill_pattern = waybill_pattern
    if adapter is not None:
        if adapter not in {a.value for a in AdapterKind}:
            raise InvalidNetwork(field="adapter")
        carrier.adapter = AdapterKind(adapter)
    if is_active is not None:
        carrier.is_active = bool(is_active)
    session.flush()
    return carrier


def set_coverage(
    session: Session, actor: User, carrier_id: int, region_code: str, reaches: bool | None
) -> None:
    """Cover ``region_code`` (and below; ``reaches`` = down to villages) or, with ``None``,
    stop covering it."""
    _operator(actor)
    if session.get(Carrier, carrier_id) is None:
        raise NotFound(field="carrier_id")
    region_code = (region_code or "").strip()
    if region_code and session.get(Region, region_code) is None:
        raise InvalidNetwork(field="region_code")
    row = session.scalars(
        sa.select(CarrierCoverage).where(
            CarrierCoverage.carrier_id == carrier_id, CarrierCoverage.region_code == region_code
        )
    ).one_or_none()
    if reaches is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            CarrierCoverage(
                carrier_id=carrier_id, region_code=region_code, reaches_villages=reaches
            )
        )
    else:
        row.reaches_villages = reaches
    session.flush()


def update_rules(session: Session, actor: User, order: list[dict[str, Any]]) -> list[RoutingRule]:
    """Rank and switch rules: ``[{"code": "cost", "rank": 5, "enabled": true}, …]``."""
    _operator(actor)
    rules = {r.code: r for r in session.scalars(sa.select(RoutingRule))}
    for rank, code in enumerate(DEFAULT_RULES, start=1):  # none configured yet: the defaults
        if code not in rules:
            rules[code] = RoutingRule(code=code, rank=rank * 10, enabled=True)
            session.add(rules[code])
    for item in order:
        code = item.get("code")
        if code not in {c.value for c in RuleCode} or RuleCode(code) not in rules:
            raise InvalidNetwork(field="code")
        rule = rules[RuleCode(code)]
        if "rank" in item:
            rank = item["rank"]
            if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < 10000:
                raise InvalidNetwork(field="rank")
            rule.rank = rank
        if "enabled" in item:
            rule.enabled = bool(item["enabled"])
        rule.updated_by_id = actor.id
        rule.updated_at = clock.now()
    session.flush()
    return sorted(rules.values(), key=lambda r: (r.rank, r.id))


WAREHOUSE_ROUTING_FIELDS = (
    "daily_capacity",
    "cutoff_time",
    "operator_name",
    "latitude",
    "longitude",
    "consolidates",
)
CUTOFF = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def update_warehouse_routing(
    session: Session, actor: User, warehouse_id: int, changes: dict[str, Any]
) -> Warehouse:
    """An operator sets a warehouse's capacity, cut-off, operator, coordinates and whether it
    consolidates parcels for its county (统仓共配: platform-run county centres only)."""
    _operator(actor)
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(field="warehouse_id")
    for name in WAREHOUSE_ROUTING_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if name == "daily_capacity":
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**7
            ):
                raise InvalidNetwork(field=name)
        elif name == "cutoff_time":
            if not isinstance(value, str) or not CUTOFF.match(value):
                raise InvalidNetwork(field=name)
        elif name == "operator_name":
            value = " ".join(str(value or "").split())[:120]
        elif name in ("latitude", "longitude"):
            limit = 90 if name == "latitude" else 180
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not -limit <= value <= limit
            ):
                raise InvalidNetwork(field=name)
        elif name == "consolidates":
            value = bool(value)
            if value and (
                warehouse.kind != WarehouseKind.COUNTY_HUB or not warehouse.is_platform_run
            ):
                raise InvalidNetwork(field=name)
        setattr(warehouse, name, value)
    session.flush()
    return warehouse
