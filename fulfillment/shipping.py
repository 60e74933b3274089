"""Shipping quotes (运费) per supplier parcel, the rate card they come from, and pickup points.

Until routing (issue 9) chooses warehouses and carriers, a parcel is priced from the rate card:
first weight + additional weight (首重 + 续重) by destination province and the parcel's storage
class, plus a cold-chain surcharge (冰袋, 泡沫箱) per parcel. Chilled and frozen parcels are only
offered cold-chain services; a province without a rate row for a service is not served by it.

The rate card is data (``shipping_services`` / ``shipping_rates``), loaded once from
``fulfillment/data/*.csv`` by ``flask setup`` and edited by operators afterwards; nothing here
hard-codes a price. ``quote`` issues one query whatever the number of parcels.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models.reference import StorageClass
from fulfillment.models import (
    ANY_PROVINCE,
    COLD_ORDER,
    PickupPoint,
    ShippingRate,
    ShippingService,
)
from yipin import clock
from yipin.accounts.models import Role, User
from yipin.errors import DomainError, Forbidden, NotFound
from yipin.i18n import _l

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Parcel:
    """What one supplier sends: gross weight, coldest storage class, value of the goods."""

    key: Hashable
    weight_g: int
    storage: StorageClass
    goods_fen: int


@dataclass(frozen=True)
class ShippingOption:
    service_code: str
    name: str
    name_en: str
    cold_chain: bool
    allows_cod: bool
    days_min: int
    days_max: int
    base_fen: int  # first + additional weight (0 when the goods ship free)
    surcharge_fen: int  # cold-chain packaging
    free: bool  # the base fee was waived (满额包邮)

    @property
    def fen(self) -> int:
        return self.base_fen + self.surcharge_fen


def coldest(classes: Iterable[StorageClass]) -> StorageClass:
    return max(classes, key=lambda s: COLD_ORDER[StorageClass(s)], default=StorageClass.AMBIENT)


def price(rate: ShippingRate, parcel: Parcel) -> ShippingOption:
    extra = max(0, parcel.weight_g - rate.first_weight_g)
    base = rate.first_fen + math.ceil(extra / rate.step_weight_g) * rate.step_fen
    free = rate.free_over_fen is not None and parcel.goods_fen >= rate.free_over_fen
    service = rate.service
    return ShippingOption(
        service_code=service.code,
        name=service.name,
        name_en=service.name_en,
        cold_chain=service.cold_chain,
        allows_cod=service.allows_cod,
        days_min=service.days_min,
        days_max=service.days_max,
        base_fen=0 if free else base,
        surcharge_fen=rate.cold_surcharge_fen,
        free=free,
    )


def quote(
    session: Session, region_code: str, parcels: list[Parcel]
) -> dict[Hashable, list[ShippingOption]]:
    """Shipping options for each parcel to ``region_code``, cheapest first (one query).

    A parcel with no option cannot be delivered there (e.g. frozen goods to a province the
    cold chain does not reach)."""
    province = region_code[:2]
    rates = list(
        session.scalars(
            sa.select(ShippingRate)
            .join(ShippingService, ShippingService.id == ShippingRate.service_id)
            .where(
                ShippingService.is_active.is_(True),
                ShippingRate.province_code.in_([province, ANY_PROVINCE]),
            )
            .order_by(ShippingService.sort_order, ShippingService.id)
        )
    )
    chosen: dict[tuple[int, StorageClass], ShippingRate] = {}
    for rate in rates:  # a province's own row wins over the "*" row
        key = (rate.service_id, StorageClass(rate.storage_class))
        if key not in chosen or rate.province_code != ANY_PROVINCE:
            chosen[key] = rate
    out: dict[Hashable, list[ShippingOption]] = {}
    for parcel in parcels:
        options = []
        for (_service_id, storage), rate in chosen.items():
            if storage != parcel.storage:
                continue
            if parcel.storage != StorageClass.AMBIENT and not rate.service.cold_chain:
                continue
            options.append(price(rate, parcel))
        out[parcel.key] = sorted(options, key=lambda o: (o.fen, o.days_max))
    return out


# ----------------------------------------------------------------------------- pickup points


def pickup_points_for(
    session: Session, region_code: str, storage: StorageClass = StorageClass.AMBIENT
) -> list[PickupPoint]:
    """Open pickup points that serve ``region_code`` (or lie under it) and can hold ``storage``."""
    if not region_code:
        return []
    serves = sa.literal(region_code).startswith(PickupPoint.serves_region_code)
    within = PickupPoint.serves_region_code.startswith(region_code, autoescape=True)
    points = session.scalars(
        sa.select(PickupPoint)
        .where(PickupPoint.is_active.is_(True), sa.or_(serves, within))
        .order_by(sa.func.length(PickupPoint.serves_region_code).desc(), PickupPoint.code)
        .limit(50)
    )
    return [p for p in points if p.can_keep(storage)]


# ----------------------------------------------------------------------------- the rate card


class InvalidRate(DomainError):
    code = "invalid_rate"
    message = _l("Rates are whole numbers of fen (at least 0) and weights of grams (above 0).")


RATE_FIELDS = (
    "first_weight_g",
    "first_fen",
    "step_weight_g",
    "step_fen",
    "cold_surcharge_fen",
    "free_over_fen",
)


def update_rate(
    session: Session, actor: User, rate_id: int, changes: dict[str, Any]
) -> ShippingRate:
    """An operator changes one rate row (the next quote uses it)."""
    if actor.role != Role.OPERATOR:
        raise Forbidden()
    rate = session.get(ShippingRate, rate_id)
    if rate is None:
        raise NotFound(field="rate_id")
    for name in RATE_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if value is None and name == "free_over_fen":
            rate.free_over_fen = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidRate(field=name)
        if name in ("first_weight_g", "step_weight_g") and value == 0:
            raise InvalidRate(field=name)
        setattr(rate, name, value)
    rate.updated_by_id = actor.id
    rate.updated_at = clock.now()
    session.flush()
    return rate


def load_rate_card(session: Session) -> int:
    """Services and rates from ``fulfillment/data`` that are not in the database yet (rows an
    operator edited are left alone). Returns the number of rows added."""
    added = 0
    services = {s.code: s for s in session.scalars(sa.select(ShippingService))}
    with (DATA / "shipping_services.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["code"] in services:
                continue
            service = ShippingService(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                cold_chain=row["cold_chain"] == "1",
                allows_cod=row["allows_cod"] == "1",
                days_min=int(row["days_min"]),
                days_max=int(row["days_max"]),
                sort_order=int(row["sort_order"]),
            )
            session.add(service)
            services[service.code] = service
            added += 1
    session.flush()
    existing = set(
        session.execute(
            sa.select(
                ShippingRate.service_id, ShippingRate.province_code, ShippingRate.storage_class
            )
        ).tuples()
    )
    with (DATA / "shipping_rates.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            service = services[row["service"]]
            key = (service.id, row["province_code"], StorageClass(row["storage_class"]))
            if key in existing:
                continue
            session.add(
                ShippingRate(
                    service_id=service.id,
                    province_code=row["province_code"],
                    storage_class=StorageClass(row["storage_class"]),
                    first_weight_g=int(row["first_weight_g"]),
                    first_fen=int(row["first_fen"]),
                    step_weight_g=int(row["step_weight_g"]),
                    step_fen=int(row["step_fen"]),
                    cold_surcharge_fen=int(row["cold_surcharge_fen"]),
                    free_over_fen=int(row["free_over_fen"]) if row["free_over_fen"] else None,
                )
            )
            added += 1
    session.flush()
    return added


# ----------------------------------------------------------------------------- pickup points


class InvalidPickupPoint(DomainError):
    code = "invalid_pickup_point"
    message = _l("The pickup point details are not valid.")


def add_pickup_point(
    session: Session,
    actor: User,
    *,
    code: str,
    name: str,
    kind: Any,
    region_code: str,
    serves_region_code: str | None = None,
    address_detail: str = "",
    opening_hours: str = "",
    contact_phone: str = "",
    cold_capability: StorageClass = StorageClass.AMBIENT,
    warehouse_id: int | None = None,
) -> PickupPoint:
    """An operator opens a pickup point (a village station, a township point, a locker) that
    serves ``serves_region_code`` and everything under it (by default where it stands)."""
    from fulfillment.models import PickupPointKind
    from yipin.regions.models import Region

    if actor.role != Role.OPERATOR:
        raise Forbidden()
    code = (code or "").strip().upper()
    if (
        not code
        or len(code) > 30
        or session.scalar(sa.select(PickupPoint.id).where(PickupPoint.code == code))
    ):
        raise InvalidPickupPoint(field="code")
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 120:
        raise InvalidPickupPoint(field="name")
    region = session.get(Region, region_code or "")
    serves = session.get(Region, serves_region_code or region_code or "")
    if region is None or serves is None or len(serves.code) < 6:
        raise InvalidPickupPoint(field="region_code")
    if not region.code.startswith(serves.code):
        raise InvalidPickupPoint(field="serves_region_code")
    point = PickupPoint(
        code=code,
        name=name,
        kind=PickupPointKind(kind),
        region_code=region.code,
        serves_region_code=serves.code,
        address_detail=(address_detail or "").strip()[:200],
        opening_hours=(opening_hours or "").strip()[:60],
        contact_phone=(contact_phone or "").strip()[:20],
        cold_capability=StorageClass(cold_capability),
        warehouse_id=warehouse_id,
    )
    session.add(point)
    session.flush()
    return point
