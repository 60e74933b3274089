"""Tables of routing: the carrier network, routing rules and decisions, fulfillment orders,
shipments (waybills), tracking events and SLA flags.

Money is integer fen, weights grams, times UTC (``yipin.clock``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.reference import StorageClass
from fulfillment.models import Stock, Warehouse
from yipin import clock
from yipin.db import Base, TimestampMixin, enum_column
from yipin.i18n import _l

BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


# ----------------------------------------------------------------------------- carriers


class AdapterKind(StrEnum):
    MANUAL = "manual"  # the supplier or operator enters the waybill number (embedded default)
    KUAIDI100 = "kuaidi100"  # a 快递100-style aggregator: e-waybill, query, subscription


class ServiceKind(StrEnum):
    STANDARD = "standard"  # 标准快递
    EXPRESS = "express"  # 特快 / 次日达
    COLD_CHAIN = "cold_chain"  # 冷链


SERVICE_KIND_LABELS = {
    ServiceKind.STANDARD: _l("Standard"),
    ServiceKind.EXPRESS: _l("Express"),
    ServiceKind.COLD_CHAIN: _l("Cold chain"),
}


class Zone(StrEnum):
    """Destination zone seen from the sending warehouse (计费分区)."""

    SAME_CITY = "same_city"  # 同城
    SAME_PROVINCE = "same_province"  # 省内
    NEIGHBOUR = "neighbour"  # 邻省
    FAR = "far"  # 省外
    REMOTE = "remote"  # 偏远 (新疆, 西藏 …)


ZONE_LABELS = {
    Zone.SAME_CITY: _l("Same city"),
    Zone.SAME_PROVINCE: _l("Same province"),
    Zone.NEIGHBOUR: _l("Neighbouring province"),
    Zone.FAR: _l("Other provinces"),
    Zone.REMOTE: _l("Remote regions"),
}


class Carrier(TimestampMixin, Base):
    """An express company (顺丰, 中国邮政 …) with its waybill pattern and how we talk to it."""

    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)  # 快递100 company code
    name: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    waybill_pattern: Mapped[str] = mapped_column(sa.String(200))  # a regular expression
    adapter: Mapped[AdapterKind] = enum_column(AdapterKind, default=AdapterKind.MANUAL)
    is_active: Mapped[bool] = mapped_column(default=True)

    services: Mapped[list[CarrierService]] = relationship(
        back_populates="carrier", order_by="CarrierService.id"
    )


class CarrierService(Base):
    """One product of a carrier (顺丰标快, 顺丰冷运 …); only cold-chain services carry chilled
    and frozen goods; ``reaches_villages`` says whether it delivers beyond the township where
    the carrier's coverage reaches villages (快递进村)."""

    __tablename__ = "carrier_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(sa.ForeignKey("carriers.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    kind: Mapped[ServiceKind] = enum_column(ServiceKind)
    cold_class: Mapped[StorageClass] = enum_column(StorageClass, default=StorageClass.AMBIENT)
    reaches_villages: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    carrier: Mapped[Carrier] = relationship(back_populates="services", lazy="joined")
    rates: Mapped[list[CarrierRate]] = relationship(back_populates="service")

    @property
    def cold_chain(self) -> bool:
        return self.kind == ServiceKind.COLD_CHAIN


class CarrierCoverage(Base):
    """Where a carrier delivers: ``region_code`` and everything under it ('' = all of China,
    to the county). ``reaches_villages``: down to each village there (快递进村), otherwise to
    the township (乡镇网点) only."""

    __tablename__ = "carrier_coverage"
    __table_args__ = (sa.UniqueConstraint("carrier_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(sa.ForeignKey("carriers.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.String(12), index=True)
    reaches_villages: Mapped[bool] = mapped_column(default=False)


class ZoneRule(Base):
    """Which zone a destination province is in, seen from a sending province."""

    __tablename__ = "shipping_zones"
    __table_args__ = (sa.UniqueConstraint("origin_province_code", "destination_province_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_province_code: Mapped[str] = mapped_column(sa.String(2))
    destination_province_code: Mapped[str] = mapped_column(sa.String(2))
    zone: Mapped[Zone] = enum_column(Zone)


class CarrierRate(Base):
    """What a service costs the platform to a zone (首重 + 续重, surcharges) and the days it
    promises there."""

    __tablename__ = "carrier_rates"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "zone"),
        sa.CheckConstraint(
            "first_weight_g > 0 AND step_weight_g > 0 AND first_fen >= 0 AND step_fen >= 0"
            " AND cold_surcharge_fen >= 0 AND remote_surcharge_fen >= 0"
            " AND promised_days >= 1",
            name="amounts",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("carrier_services.id", ondelete="CASCADE"), index=True
    )
    zone: Mapped[Zone] = enum_column(Zone)
    first_weight_g: Mapped[int] = mapped_column(default=1000)
    first_fen: Mapped[int]
    step_weight_g: Mapped[int] = mapped_column(default=1000)
    step_fen: Mapped[int]
    cold_surcharge_fen: Mapped[int] = mapped_column(default=0)
    remote_surcharge_fen: Mapped[int] = mapped_column(default=0)  # 偏远 / 进村 surcharge
    promised_days: Mapped[int] = mapped_column(default=3)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    service: Mapped[CarrierService] = relationship(back_populates="rates")


# ----------------------------------------------------------------------------- routing rules


class RuleCode(StrEnum):
    STOCK = "stock"  # must have the units (hard)
    STORAGE = "storage"  # chilled / frozen only from cold warehouses and cold services (hard)
    COVERAGE = "coverage"  # the service covers the destination township / village (hard)
    CAPACITY = "capacity"  # parcels left today under the warehouse's daily capacity (hard)
    FEWEST_SPLITS = "fewest_splits"  # fewer parcels first
    NEAREST = "nearest"  # the origin county first, then the nearest warehouse
    PROMISED_DAYS = "promised_days"  # fewer promised days first
    COST = "cost"  # cheaper first


HARD_RULES = (RuleCode.STOCK, RuleCode.STORAGE, RuleCode.COVERAGE, RuleCode.CAPACITY)

RULE_LABELS = {
    RuleCode.STOCK: _l("Has the stock"),
    RuleCode.STORAGE: _l("Storage class matches (cold chain)"),
    RuleCode.COVERAGE: _l("Carrier covers the destination"),
    RuleCode.CAPACITY: _l("Capacity left today"),
    RuleCode.FEWEST_SPLITS: _l("Fewest parcels"),
    RuleCode.NEAREST: _l("Origin or nearest warehouse"),
    RuleCode.PROMISED_DAYS: _l("Fewest promised days"),
    RuleCode.COST: _l("Lowest cost"),
}

DEFAULT_RULES = (
    RuleCode.STOCK,
    RuleCode.STORAGE,
    RuleCode.COVERAGE,
    RuleCode.CAPACITY,
    RuleCode.FEWEST_SPLITS,
    RuleCode.NEAREST,
    RuleCode.PROMISED_DAYS,
    RuleCode.COST,
)


class RoutingRule(Base):
    """One rule of the routing engine with its rank (lower first); operators reorder the soft
    rules and switch any off (a hard rule switched off is not checked)."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[RuleCode] = enum_column(RuleCode, unique=True)
    rank: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class RoutingDecision(Base):
    """What routing chose for a sub-order and why: ``reasons`` (rule → what it said of the
    winner), ``rejected`` (each alternative and the rule that turned it down), the rules in
    force. Appended on every routing (re-routes and operator moves too)."""

    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))  # routed | unroutable | moved …
    chosen: Mapped[list[Any]] = mapped_column(default=list)  # parcels: warehouse, service, lines
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    rejected: Mapped[list[Any]] = mapped_column(default=list)
    rules: Mapped[list[Any]] = mapped_column(default=list)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id


# ----------------------------------------------------------------------------- fulfillment orders


class FulfillmentStatus(StrEnum):
    OPEN = "open"  # 待处理: routed, waiting to be picked
    IN_PROGRESS = "in_progress"  # 处理中: waybill booked, being packed
    ON_HOLD = "on_hold"  # 暂停
    SHIPPED = "shipped"  # 已发出: collected by the carrier
    CANCELLED = "cancelled"  # 已取消


FULFILLMENT_STATUS_LABELS = {
    FulfillmentStatus.OPEN: _l("To pick"),
    FulfillmentStatus.IN_PROGRESS: _l("In progress"),
    FulfillmentStatus.ON_HOLD: _l("On hold"),
    FulfillmentStatus.SHIPPED: _l("Shipped"),
    FulfillmentStatus.CANCELLED: _l("Cancelled"),
}

# every allowed move of a fulfillment order, in one table
FULFILLMENT_TRANSITIONS = {
    FulfillmentStatus.OPEN: {
        FulfillmentStatus.IN_PROGRESS,
        FulfillmentStatus.ON_HOLD,
        FulfillmentStatus.SHIPPED,
        FulfillmentStatus.CANCELLED,
    },
    FulfillmentStatus.IN_PROGRESS: {
        FulfillmentStatus.ON_HOLD,
        FulfillmentStatus.SHIPPED,
        FulfillmentStatus.CANCELLED,
        FulfillmentStatus.OPEN,  # waybill voided (carrier reassigned)
    },
    FulfillmentStatus.ON_HOLD: {FulfillmentStatus.OPEN, FulfillmentStatus.CANCELLED},
    FulfillmentStatus.SHIPPED: set(),
    FulfillmentStatus.CANCELLED: set(),
}

ACTIVE_STATUSES = (
    FulfillmentStatus.OPEN,
    FulfillmentStatus.IN_PROGRESS,
    FulfillmentStatus.ON_HOLD,
)


class FulfillmentOrder(TimestampMixin, Base):
    """One parcel of a sub-order from one warehouse with one carrier service (发货单)."""

    __tablename__ = "fulfillment_orders"
    __table_args__ = (sa.Index("ix_fulfillment_orders_status_warehouse", "status", "warehouse_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"), index=True)
    via_hub_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouses.id"))  # 统仓共配
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("carrier_services.id"))
    decision_id: Mapped[int | None] = mapped_column(BIG_ID, sa.ForeignKey("routing_decisions.id"))
    status: Mapped[FulfillmentStatus] = enum_column(
        FulfillmentStatus, default=FulfillmentStatus.OPEN, index=True
    )
    storage_class: Mapped[StorageClass] = enum_column(StorageClass, default=StorageClass.AMBIENT)
    weight_g: Mapped[int] = mapped_column(default=0)
    cost_fen: Mapped[int] = mapped_column(default=0)  # what the carrier charges the platform
    promised_days: Mapped[int] = mapped_column(default=3)
    destination_region_code: Mapped[str] = mapped_column(sa.String(12))
    hold_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    routed_on: Mapped[str] = mapped_column(sa.String(10), index=True)  # local date (capacity)
    shipped_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    warehouse: Mapped[Warehouse] = relationship(foreign_keys=[warehouse_id], lazy="joined")
    via_hub: Mapped[Warehouse | None] = relationship(foreign_keys=[via_hub_id])
    service: Mapped[CarrierService] = relationship(lazy="joined")
    lines: Mapped[list[FulfillmentLine]] = relationship(
        back_populates="fulfillment_order", order_by="FulfillmentLine.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="fulfillment_order", order_by="Shipment.id"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @property
    def shipment(self) -> Shipment | None:
        """The live waybill (not voided), if any."""
        live = [s for s in self.shipments if s.status != ShipmentStatus.VOIDED]
        return live[-1] if live else None

    def can_move_to(self, target: FulfillmentStatus) -> bool:
        return target in FULFILLMENT_TRANSITIONS[FulfillmentStatus(self.status)]


class FulfillmentLine(Base):
    """Units of one order line taken from one stock row, and the batch (lot) they leave from."""

    __tablename__ = "fulfillment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    fulfillment_order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fulfillment_orders.id"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    stock_id: Mapped[int] = mapped_column(sa.ForeignKey("stock.id"))
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id"))
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id"))
    quantity: Mapped[int]

    fulfillment_order: Mapped[FulfillmentOrder] = relationship(back_populates="lines")
    stock: Mapped[Stock] = relationship()


# ----------------------------------------------------------------------------- shipments


class ShipmentStatus(StrEnum):
    BOOKING = "booking"  # asked the carrier; the answer is not recorded yet
    AWAITING_NUMBER = "awaiting_number"  # manual carrier: someone must enter the number
    BOOKED = "booked"  # 已下单: waybill number known, not collected yet
    COLLECTED = "collected"  # 已揽收
    IN_TRANSIT = "in_transit"  # 运输中
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派送中
    DELIVERED = "delivered"  # 已签收
    PROBLEM = "problem"  # 疑难件
    RETURNED = "returned"  # 退回 / 退签
    VOIDED = "voided"  # 已作废 (cancelled before collection)


SHIPMENT_STATUS_LABELS = {
    ShipmentStatus.BOOKING: _l("Booking"),
    ShipmentStatus.AWAITING_NUMBER: _l("Waiting for the waybill number"),
    ShipmentStatus.BOOKED: _l("Waybill booked"),
    ShipmentStatus.COLLECTED: _l("Collected"),
    ShipmentStatus.IN_TRANSIT: _l("In transit"),
    ShipmentStatus.OUT_FOR_DELIVERY: _l("Out for delivery"),
    ShipmentStatus.DELIVERED: _l("Delivered"),
    ShipmentStatus.PROBLEM: _l("Problem"),
    ShipmentStatus.RETURNED: _l("Returned"),
    ShipmentStatus.VOIDED: _l("Voided"),
}

MOVING = (ShipmentStatus.COLLECTED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY)


class Shipment(TimestampMixin, Base):
    """A waybill (运单) for one fulfillment order. ``idempotency_key`` is sent with the booking,
    so a retried booking gets the carrier's first number back, never a second waybill."""

    __tablename__ = "shipments"
    __table_args__ = (
        sa.UniqueConstraint("carrier_id", "waybill_number"),
        sa.Index("ix_shipments_status_last_event_at", "status", "last_event_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fulfillment_order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fulfillment_orders.id"), index=True
    )
    sub_order_id: Mapped[int] = mapped_column(sa.ForeignKey("sub_orders.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(sa.ForeignKey("carriers.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("carrier_services.id"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    waybill_number: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[ShipmentStatus] = enum_column(ShipmentStatus, default=ShipmentStatus.BOOKING)
    storage_class: Mapped[StorageClass] = enum_column(StorageClass, default=StorageClass.AMBIENT)
    origin_region_code: Mapped[str] = mapped_column(sa.String(12))
    origin_county_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    origin_is_rural: Mapped[bool] = mapped_column(default=False)  # a platform village/township
    destination_region_code: Mapped[str] = mapped_column(sa.String(12))
    subscription_salt: Mapped[str | None] = mapped_column(sa.String(40))
    subscribed_at: Mapped[datetime | None]
    booked_at: Mapped[datetime | None]
    collected_at: Mapped[datetime | None] = mapped_column(index=True)
    out_of_county_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    promised_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime | None]
    pickup_code: Mapped[str | None] = mapped_column(sa.String(40))
    voided_at: Mapped[datetime | None]

    fulfillment_order: Mapped[FulfillmentOrder] = relationship(back_populates="shipments")
    carrier: Mapped[Carrier] = relationship(lazy="joined")
    events: Mapped[list[TrackingEvent]] = relationship(
        back_populates="shipment", order_by="TrackingEvent.at"
    )

    @property
    def owner_supplier_id(self) -> int:
        return self.supplier_id

    @property
    def is_cold(self) -> bool:
        return self.storage_class != StorageClass.AMBIENT


class TrackingStatus(StrEnum):
    COLLECTED = "collected"  # 揽收
    IN_TRANSIT = "in_transit"  # 在途
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派件
    DELIVERED = "delivered"  # 签收
    PROBLEM = "problem"  # 疑难
    RETURNED = "returned"  # 退回 / 退签


TRACKING_STATUS_LABELS = {
    TrackingStatus.COLLECTED: _l("Collected"),
    TrackingStatus.IN_TRANSIT: _l("In transit"),
    TrackingStatus.OUT_FOR_DELIVERY: _l("Out for delivery"),
    TrackingStatus.DELIVERED: _l("Delivered"),
    TrackingStatus.PROBLEM: _l("Problem"),
    TrackingStatus.RETURNED: _l("Returned"),
}


class TrackingEvent(Base):
    """One scan of a parcel, normalised (the carrier's own state and words kept beside)."""

    __tablename__ = "tracking_events"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "at", "status", "fingerprint"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipments.id"), index=True)
    at: Mapped[datetime]
    status: Mapped[TrackingStatus] = enum_column(TrackingStatus)
    carrier_state: Mapped[str] = mapped_column(sa.String(10), default="")
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    location: Mapped[str] = mapped_column(sa.String(120), default="")
    region_code: Mapped[str | None] = mapped_column(sa.String(12))
    fingerprint: Mapped[str] = mapped_column(sa.String(40))  # md5 of the carrier's words
    source: Mapped[str] = mapped_column(sa.String(20), default="push")  # push | poll | manual
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    shipment: Mapped[Shipment] = relationship(back_populates="events")


class SlaKind(StrEnum):
    NOT_OUT_OF_COUNTY = "not_out_of_county"  # 村级快件24小时基本出县
    SILENT = "silent"  # no event for 48 h
    COLD_LATE = "cold_late"  # a cold parcel past its promised time


SLA_LABELS = {
    SlaKind.NOT_OUT_OF_COUNTY: _l("Not out of the county within 24 h"),
    SlaKind.SILENT: _l("No tracking event for 48 h"),
    SlaKind.COLD_LATE: _l("Cold parcel past its promised time"),
}


class SlaFlag(Base):
    """A parcel the SLA monitor flagged; ``resolved_at`` once the condition cleared or an
    operator dealt with it."""

    __tablename__ = "sla_flags"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipments.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    kind: Mapped[SlaKind] = enum_column(SlaKind)
    raised_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    shipment: Mapped[Shipment] = relationship(lazy="joined")
